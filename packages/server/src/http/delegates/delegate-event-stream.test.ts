// HTTP API, delegates: the events between two snapshots of an organization's live delegates, and
// the settings of the streams.
import { describe, expect, it } from "vitest";
import type { Delegate } from "../../domain/delegates/delegate.js";
import { delegateEventsBetween, resolveDelegateEventSettings } from "./delegate-event-stream.js";

function delegate(id: string, lastHeartbeatAt: number): Delegate {
  return {
    id,
    organizationId: "org-1",
    delegateTokenId: "dtk-1",
    spaceId: "spc-1",
    name: id,
    host: "h",
    version: "1",
    remoteAddress: null,
    instanceId: "ins-1",
    connectedAt: 0,
    lastHeartbeatAt,
  };
}

const snapshot = (...delegates: Delegate[]) => new Map(delegates.map((d) => [d.id, d]));

describe("delegate events between snapshots", () => {
  it("says who connected, who sent a heartbeat and who left, with the delegate as last seen", () => {
    const before = snapshot(delegate("a", 1), delegate("b", 1), delegate("c", 1));
    const after = snapshot(delegate("a", 1), delegate("b", 2), delegate("d", 5));
    expect(
      delegateEventsBetween(before, after).map(
        (e) => `${e.kind} ${e.delegate.id}@${e.delegate.lastHeartbeatAt}`,
      ),
    ).toEqual(["delegate.disconnected c@1", "delegate.heartbeat b@2", "delegate.connected d@5"]);
    expect(delegateEventsBetween(after, after)).toEqual([]);
    expect(delegateEventsBetween(new Map(), new Map())).toEqual([]);
  });

  it("reads its settings from the environment, refusing bad values by name", () => {
    expect(resolveDelegateEventSettings({})).toEqual({
      pollMs: 1000,
      pingMs: 15000,
      maxStreamsPerOrganization: 16,
    });
    expect(
      resolveDelegateEventSettings({ KEYGATE_DELEGATE_EVENTS_MAX_STREAMS: "2" }).maxStreamsPerOrganization,
    ).toBe(2);
    expect(() => resolveDelegateEventSettings({ KEYGATE_DELEGATE_EVENTS_POLL_MS: "0" })).toThrow(
      /KEYGATE_DELEGATE_EVENTS_POLL_MS must be a whole number >= 1/,
    );
  });
});
