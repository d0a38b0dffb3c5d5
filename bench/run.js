// Benchmarks: `npm run bench` runs every benchmark of the project in one process run and
// prints each figure next to its baseline from the same run, as a ratio.

import { existsSync } from "node:fs";
import { runRegoBench } from "./rego-bench.js";

console.log("# Rego engine");
for (const line of await runRegoBench()) console.log(line);

const server = new URL("./server-bench.js", import.meta.url);
if (existsSync(server)) {
  const { runServerBench } = await import(server.href);
  console.log("\n# Service");
  for (const line of await runServerBench()) console.log(line);
}
