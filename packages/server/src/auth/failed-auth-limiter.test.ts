// Auth: the per-address limit on failed authentications, with its window.
import { describe, expect, it } from "vitest";
import { DomainError } from "../domain/domain-error.js";
import { FailedAuthLimiter } from "./failed-auth-limiter.js";

describe("FailedAuthLimiter", () => {
  it("refuses an address over the limit until its window ends, with a retry time", () => {
    const limiter = new FailedAuthLimiter(2, 1000);
    limiter.fail("a", 0);
    limiter.check("a", 10);
    limiter.fail("a", 20);
    let error: unknown;
    try {
      limiter.check("a", 400);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("rate_limited");
    expect((error as DomainError).details?.retryAfterSeconds).toBe(1);
    expect(() => limiter.check("b", 400)).not.toThrow();
    expect(() => limiter.check("a", 1000)).not.toThrow();
  });
});
