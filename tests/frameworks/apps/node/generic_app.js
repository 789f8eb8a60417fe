// A service obsc knows only as `generic`: express, measured by the OpenTelemetry SDK alone
// (node --require @opentelemetry/auto-instrumentations-node/register, configured by the
// OTEL_* environment obsc renders). Usage: node --require ... generic_app.js PORT
"use strict";

const express = require("express");
const addRoutes = require("./routes");

addRoutes(express()).listen(Number(process.argv[2]), "127.0.0.1");
