// Test support: the RegoError a call throws, for tests that look at codes and messages.

import { RegoError } from "../errors.js";

/** The RegoError `f` throws; fails the test when it throws something else or nothing. */
export function errorOf(f: () => unknown): RegoError {
  try {
    f();
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error("expected a RegoError");
}
