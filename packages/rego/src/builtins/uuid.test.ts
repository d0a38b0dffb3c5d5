import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, type Value, valuesEqual } from "../value/value.js";
import { callerFor, plainContext } from "./test-context.js";
import { UUID_BUILTINS } from "./uuid.js";

const obj = RegoObject.fromRecord;
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("uuid.rfc4122", () => {
  it("makes a version 4 UUID that stays the same for a key within one evaluation", () => {
    const call = callerFor(UUID_BUILTINS, plainContext([0.1, 0.9, 0.3, 0.7, 0.5]));
    const a = call("uuid.rfc4122", "k");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call("uuid.rfc4122", "k")).toBe(a);
    expect(call("uuid.rfc4122", "other")).not.toBe(a);
    expect(UUID_BUILTINS.find((b) => b.name === "uuid.rfc4122")?.nondeterministic).toBe(true);
  });
});

describe("uuid.parse", () => {
  const call = callerFor(UUID_BUILTINS);

  it("describes version 4 and 3 UUIDs in their accepted forms", () => {
    eq(call("uuid.parse", "{00000000-0000-4000-8000-000000000000}"), obj({ variant: "RFC4122", version: 4 }));
    eq(call("uuid.parse", "6bea8ef2d3d33cd184e09bab06a52ece"), obj({ variant: "RFC4122", version: 3 }));
  });

  it("describes a version 2 UUID with time and DCE fields", () => {
    eq(
      call("uuid.parse", "urn:uuid:000003e8-48b9-21ee-b200-325096b39f47"),
      obj({
        clocksequence: 12800,
        domain: "Person",
        id: 1000,
        macvariables: "local:unicast",
        nodeid: "32-50-96-b3-9f-47",
        time: BigNumber.parse("1693566990121469600") as BigNumber,
        variant: "RFC4122",
        version: 2,
      }),
    );
  });

  it("is undefined for text that is not a UUID", () => {
    expect(call("uuid.parse", "not-a-uuid")).toBeUndefined();
    expect(call("uuid.parse", "00000000-0000-4000-8000-00000000000g")).toBeUndefined();
  });
});
