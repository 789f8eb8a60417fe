// express with express-prom-bundle, as its README sets it up. Usage: node express_app.js PORT
"use strict";

const express = require("express");
const promBundle = require("express-prom-bundle");
const addRoutes = require("./routes");

const app = express();
app.use(promBundle({}));
addRoutes(app).listen(Number(process.argv[2]), "127.0.0.1");
