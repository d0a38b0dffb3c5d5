// Auth: the per-address limit on failed authentications, with its window.
import { describe, expect, it } from "vitest";
import { DomainError } from "../domain/domain-error.js";
import { FailedAuthLimiter } from "./failed-auth-limiter.js";

function refusal(run: () => void): DomainError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  return undefined;
}

describe("FailedAuthLimiter", () => {
  it("refuses the failures of an address over the limit until its window ends, with a retry time", () => {
    const limiter = new FailedAuthLimiter(2, 1000);
    expect(refusal(() => limiter.fail("a", 0))).toBeUndefined();
    expect(refusal(() => limiter.fail("a", 20))).toBeUndefined();
    const error = refusal(() => limiter.fail("a", 400));
    expect(error?.code).toBe("rate_limited");
    expect(error?.details?.retryAfterSeconds).toBe(1);
    expect(refusal(() => limiter.fail("b", 400))).toBeUndefined();
    // A new window starts the count again.
    expect(refusal(() => limiter.fail("a", 1000))).toBeUndefined();
  });
});
