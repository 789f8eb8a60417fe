// NestJS on its default Express platform with express-prom-bundle as middleware, the
// set-up the framework database assumes; decorators applied by hand (plain JavaScript).
// A returned error is an HttpException(500), a raised one a plain Error that Nest's
// exception filter answers with 500. Usage: node nestjs_app.js PORT
"use strict";

require("reflect-metadata");
const { NestFactory } = require("@nestjs/core");
const { Controller, Get, HttpException, Module } = require("@nestjs/common");
const promBundle = require("express-prom-bundle");

class AppController {
  ok() {
    return "ok";
  }

  fail() {
    throw new HttpException("failed", 500);
  }

  raise() {
    throw new Error("boom");
  }

  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 700));
    return "slow";
  }
}

for (const route of ["ok", "fail", "raise", "slow"]) {
  const descriptor = Object.getOwnPropertyDescriptor(AppController.prototype, route);
  Reflect.decorate([Get(route)], AppController.prototype, route, descriptor);
}
Reflect.decorate([Controller()], AppController);

class AppModule {}
Reflect.decorate([Module({ controllers: [AppController] })], AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: false });
  app.use(promBundle({}));
  await app.listen(Number(process.argv[2]), "127.0.0.1");
}

main();
