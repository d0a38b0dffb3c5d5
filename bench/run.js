// Benchmarks: `npm run bench` runs every benchmark of the project in one process run and
// prints each figure next to its baseline from the same run, as a ratio.

import { runGovernanceBench } from "./governance-bench.js";
import { runLoginFloodBench } from "./login-flood-bench.js";
import { runOpaBench } from "./opa-bench.js";
import { runPolicyWorkerBench } from "./policy-worker-bench.js";
import { runRegoBench } from "./rego-bench.js";
import { runServerBench } from "./server-bench.js";
import { runTokenWriteBench } from "./token-write-bench.js";

console.log("# Rego engine");
for (const line of await runRegoBench()) console.log(line);

console.log("\n# Rego engine against OPA");
for (const line of await runOpaBench()) console.log(line);

console.log("\n# Service");
for (const line of await runServerBench()) console.log(line);

console.log("\n# Token writes (create, revoke) through `keygate serve`");
for (const line of await runTokenWriteBench()) console.log(line);

console.log("\n# Governance");
for (const line of await runGovernanceBench()) console.log(line);

console.log("\n# Tenants' policies off the event loop");
for (const line of await runPolicyWorkerBench()) console.log(line);
console.log("\n# Login policies under a hostile flood");
for (const line of await runLoginFloodBench()) console.log(line);
