// The benchmark's framework policy (bench/framework): it compiles, and known inputs get known
// decisions, planned and interpreted alike. The bench measures it; this keeps it meaningful.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Engine } from "@keygate/rego";
import { describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("../bench/framework/", import.meta.url));
const read = (name: string) => readFileSync(`${dir}${name}`, "utf8");
const policy = read("policy.rego");
const data = JSON.parse(read("data.json")) as unknown;

function decide(inputFile: string, interpretOnly = false): Record<string, unknown> {
  const engine = new Engine({ interpretOnly });
  engine.addModule("policy.rego", policy);
  engine.setData(data);
  const input = JSON.parse(read(inputFile)) as unknown;
  const results = engine.evalQuery("data.admission.framework.decision", { input });
  return results[0]?.expressions[0]?.value as Record<string, unknown>;
}

describe("the framework benchmark policy", () => {
  it("is a policy of at least 800 lines", () => {
    expect(policy.split("\n").length).toBeGreaterThanOrEqual(800);
  });

  it("allows the pod of input.json, with its warnings and mutations", () => {
    const d = decide("input.json");
    expect(d.allow).toBe(true);
    expect(d.violations).toEqual([]);
    expect(d.warnings).toEqual([
      'container "api": 2.5.0 is not the newest release',
      'container "api": root filesystem is writable',
      'container "envoy": cpu request under 10% of its limit',
      'container "envoy": v1.29.2 is not the newest release',
    ]);
    expect(d.mutations).toEqual([
      { op: "add", path: "/metadata/labels/keygate.dev/confidential", value: "true" },
      { op: "add", path: "/spec/containers/0/securityContext/readOnlyRootFilesystem", value: true },
    ]);
    expect(d.audit).toMatchObject({
      owner: "payments-platform",
      tier: "confidential",
      families: ["envoy", "migrator", "payments-api"],
      violations: 0,
      checks: 36,
    });
  });

  it("denies the pod of input-denied.json, for each of its faults", () => {
    const d = decide("input-denied.json");
    expect(d.allow).toBe(false);
    expect(d.violations).toEqual([
      "agent 3.2.9 is older than 3.3.0",
      'container "api": allowPrivilegeEscalation must be false',
      'container "api": capabilities "SYS_ADMIN" are not allowed',
      'container "api": environment variable "AWS_KEY" holds what looks like a secret',
      'container "api": environment variable "AWS_KEY" is not allowed',
      'container "api": host path "/var/run" is not allowed',
      'container "api": image "docker.io/library/payments-api:latest" must be pinned by digest',
      'container "api": image "library/payments-api" is not in the catalogue',
      'container "api": must drop ALL capabilities',
      'container "api": mutable tag "latest"',
      'container "api": no cpu limit',
      'container "api": port 22 is not allowed',
      'container "api": privileged containers are not allowed',
      'container "api": registry "docker.io" is not allowed in namespace "payments"',
      'container "api": runs as root',
      'container "api": volume "host" of type hostPath is not allowed',
      'pod "payments-api-7c9f": team "marketing" may not deploy to "payments"',
      "pod: host network is not allowed",
      "runtime 3.5.0 is outside every supported range",
    ]);
    expect((d.audit as Record<string, unknown>).by_category).toEqual({ agent: 1, container: 15, pod: 2, runtime: 1 });
  });

  it("decides the same when every rule is interpreted", () => {
    for (const file of ["input.json", "input-denied.json"]) expect(decide(file, true)).toEqual(decide(file));
  });
});
