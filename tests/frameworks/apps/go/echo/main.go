// echo with echo-contrib's echoprometheus, the metrics middleware outside Recover (it
// records after next() returns, without defer). Usage: echo PORT
package main

import (
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func main() {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoprometheus.NewMiddleware("echo"))
	e.Use(middleware.Recover())
	e.GET("/metrics", echoprometheus.NewHandler())
	e.GET("/ok", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/fail", func(c echo.Context) error { return c.String(http.StatusInternalServerError, "failed") })
	e.GET("/raise", func(c echo.Context) error { panic("boom") })
	e.GET("/slow", func(c echo.Context) error {
		time.Sleep(700 * time.Millisecond)
		return c.String(http.StatusOK, "slow")
	})
	if err := e.Start("127.0.0.1:" + os.Args[1]); err != nil {
		panic(err)
	}
}
