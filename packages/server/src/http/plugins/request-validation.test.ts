// HTTP API, infrastructure: the validators: bodies as sent, query values coerced, every integer
// bounded, no number past validation that is not finite.
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { boundIntegers, installRequestValidation, nonFiniteNumberAt } from "./request-validation.js";

describe("boundIntegers", () => {
  it("gives unbounded integers the safe-integer range and keeps explicit bounds", () => {
    expect(
      boundIntegers({
        type: "object",
        properties: {
          a: { type: "integer" },
          b: { type: "integer", minimum: 1, maximum: 5 },
          c: { type: "string" },
        },
      }),
    ).toEqual({
      type: "object",
      properties: {
        a: { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
        b: { type: "integer", minimum: 1, maximum: 5 },
        c: { type: "string" },
      },
    });
  });
});

describe("nonFiniteNumberAt", () => {
  it("names the first number that is not finite", () => {
    expect(nonFiniteNumberAt({ "page[number]": Number.POSITIVE_INFINITY })).toBe("/page[number]");
    expect(nonFiniteNumberAt({ a: [1, Number.NEGATIVE_INFINITY] })).toBe("/a/1");
    expect(nonFiniteNumberAt({ a: 1, b: "x" })).toBe(undefined);
  });
});

describe("installRequestValidation", () => {
  async function appWithRoute() {
    const app = Fastify();
    installRequestValidation(app);
    app.post(
      "/t",
      {
        schema: {
          querystring: { type: "object", properties: { n: { type: "integer" } } },
          body: {
            type: "object",
            properties: {
              when: { anyOf: [{ type: "string" }, { type: "null" }] },
              count: { type: "integer" },
            },
          },
        },
      },
      async (request) => ({ query: request.query, body: request.body }),
    );
    await app.ready();
    return app;
  }

  it("coerces query values but validates bodies as sent", async () => {
    const app = await appWithRoute();
    const ok = await app.inject({ method: "POST", url: "/t?n=5", payload: { when: "", count: 2 } });
    expect(ok.json()).toEqual({ query: { n: 5 }, body: { when: "", count: 2 } });
    // Fastify's default validator turned "5" into 5 and "" into null in bodies too.
    expect((await app.inject({ method: "POST", url: "/t", payload: { count: "5" } })).statusCode).toBe(400);
    await app.close();
  });

  it("refuses numbers beyond the safe range and ones coerced to Infinity", async () => {
    const app = await appWithRoute();
    expect((await app.inject({ method: "POST", url: "/t?n=1e400", payload: {} })).statusCode).toBe(400);
    expect(
      (await app.inject({ method: "POST", url: "/t?n=99999999999999999999", payload: {} })).statusCode,
    ).toBe(400);
    const body = await app.inject({
      method: "POST",
      url: "/t",
      headers: { "content-type": "application/json" },
      payload: '{"count": 1e400}',
    });
    expect(body.statusCode).toBe(400);
    await app.close();
  });
});
