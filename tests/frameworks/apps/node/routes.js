// The four endpoints of the express-based apps: a success, a returned 500, a raised error
// (express's error handler answers 500), and a success after 0.7 s.
"use strict";

module.exports = function addRoutes(app) {
  app.get("/ok", (req, res) => res.send("ok"));
  app.get("/fail", (req, res) => res.status(500).send("failed"));
  app.get("/raise", () => {
    throw new Error("boom");
  });
  app.get("/slow", (req, res) => setTimeout(() => res.send("slow"), 700));
  // express logs every error to stderr; quiet, the test reads the status codes
  app.use((err, req, res, next) => res.status(500).send("error"));
  return app;
};
