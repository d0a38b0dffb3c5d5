// Benchmarks: `npm run bench` runs every benchmark of the project in one process run and
// prints each figure next to its baseline from the same run, as a ratio.
// `npm run bench -- --quick` runs the service rows with fewer, shorter rounds; `--only <section>`
// (repeatable: rego, opa, service, writes, governance, workers, flood) runs only those sections, and
// `--rows <row,...>` picks the service rows (read, policy, scale, writes; see server-bench.js).

import { parseArgs } from "node:util";
import { runGovernanceBench } from "./governance-bench.js";
import { runLoginFloodBench } from "./login-flood-bench.js";
import { runOpaBench } from "./opa-bench.js";
import { runPolicyWorkerBench } from "./policy-worker-bench.js";
import { runRegoBench } from "./rego-bench.js";
import { runServerBench } from "./server-bench.js";
import { runTokenWriteBench } from "./token-write-bench.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    rows: { type: "string" },
  },
});

const sections = [
  ["rego", "# Rego engine", () => runRegoBench()],
  ["opa", "# Rego engine against OPA", () => runOpaBench()],
  ["service", "# Service", () => runServerBench({ quick: values.quick, rows: values.rows?.split(",") ?? [] })],
  ["writes", "# Token writes (create, revoke) through `keygate serve`", () => runTokenWriteBench()],
  ["governance", "# Governance", () => runGovernanceBench()],
  ["workers", "# Tenants' policies off the event loop", () => runPolicyWorkerBench()],
  ["flood", "# Login policies under a hostile flood", () => runLoginFloodBench()],
];
const only = values.only ?? [];
for (const name of only) {
  if (!sections.some(([n]) => n === name)) {
    throw new Error(`unknown section ${name} (sections: ${sections.map(([n]) => n).join(", ")})`);
  }
}

const started = Date.now();
let first = true;
for (const [name, title, run] of sections) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`${first ? "" : "\n"}${title}`);
  first = false;
  for (const line of await run()) console.log(line);
}
console.log(`\nbench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
