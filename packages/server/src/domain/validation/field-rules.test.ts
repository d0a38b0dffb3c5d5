import { describe, expect, it } from "vitest";
import { DomainError } from "../domain-error.js";
import {
  checkDescription,
  checkDurationMs,
  checkEmail,
  checkEpochMs,
  checkName,
  checkSlug,
  checkTags,
  isUniqueViolation,
} from "./field-rules.js";

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("invalid");
    return (error as DomainError).field;
  }
  throw new Error("expected a validation error");
}

describe("field rules", () => {
  it("trims names and refuses empty, over-long, non-string or control-character names", () => {
    expect(checkName("  deploy  ")).toBe("deploy");
    expect(fieldOf(() => checkName(""))).toBe("name");
    expect(fieldOf(() => checkName("x".repeat(129), "displayName"))).toBe("displayName");
    expect(fieldOf(() => checkName(42))).toBe("name");
    expect(fieldOf(() => checkName("a\nb"))).toBe("name");
  });

  it("accepts lowercase slugs only", () => {
    expect(checkSlug("acme-corp_1")).toBe("acme-corp_1");
    expect(fieldOf(() => checkSlug("Acme"))).toBe("name");
    expect(fieldOf(() => checkSlug("-acme"))).toBe("name");
  });

  it("checks descriptions, times, durations, emails and tags", () => {
    expect(checkDescription(undefined)).toBe("");
    expect(fieldOf(() => checkDescription("x".repeat(2049)))).toBe("description");
    expect(checkEpochMs(1_779_647_400_000, "validTo")).toBe(1_779_647_400_000);
    expect(fieldOf(() => checkEpochMs(1.5, "validTo"))).toBe("validTo");
    expect(fieldOf(() => checkEpochMs("2026-01-01", "validFrom"))).toBe("validFrom");
    expect(fieldOf(() => checkDurationMs(-1, "gracePeriodMs"))).toBe("gracePeriodMs");
    expect(checkEmail("A@B.example")).toBe("a@b.example");
    expect(fieldOf(() => checkEmail("nope"))).toBe("email");
    expect(checkTags({ env: "prod" })).toEqual({ env: "prod" });
    expect(checkTags(undefined)).toEqual({});
    expect(fieldOf(() => checkTags(["x"]))).toBe("tags");
    expect(fieldOf(() => checkTags({ env: 3 }))).toBe("tags.env");
  });

  it("recognises unique violations of both dialects", () => {
    expect(isUniqueViolation({ code: "23505" })).toBe(true);
    expect(isUniqueViolation({ code: "SQLITE_CONSTRAINT_UNIQUE" })).toBe(true);
    expect(isUniqueViolation({ code: "23503" })).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});
