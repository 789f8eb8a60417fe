// gin with zsais/go-gin-prometheus in the set-up the framework database assumes: the
// metrics middleware outside Recovery, so a panicking handler's 500 is counted.
// Usage: gin PORT
package main

import (
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	ginprometheus "github.com/zsais/go-gin-prometheus"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	ginprometheus.NewPrometheus("gin").Use(r)
	r.Use(gin.Recovery())
	r.GET("/ok", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/fail", func(c *gin.Context) { c.String(http.StatusInternalServerError, "failed") })
	r.GET("/raise", func(c *gin.Context) { panic("boom") })
	r.GET("/slow", func(c *gin.Context) {
		time.Sleep(700 * time.Millisecond)
		c.String(http.StatusOK, "slow")
	})
	if err := r.Run("127.0.0.1:" + os.Args[1]); err != nil {
		panic(err)
	}
}
