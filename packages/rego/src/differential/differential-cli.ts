// Differential testing, command line: `npm run differential [-- options]` compares the engine
// with OPA (the oracle) over the shared conformance corpus, generated modules and, if given, a
// policy folder's tests; prints every new disagreement as a repro and exits 1 when there is one.

import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_CONFORMANCE_DIR } from "../conformance/case-files.js";
import { matchesFilter } from "../conformance/case-files.js";
import { sampleBuiltins } from "./builtin-sample.js";
import { removeScratch } from "./differential-case.js";
import { runConformanceCorpus } from "./conformance-corpus.js";
import { runGeneratedBatch } from "./generated-corpus.js";
import { loadKeygatePolicyCli } from "./keygate-cli.js";
import {
  type Corpus,
  KNOWN_MISMATCHES_FILE,
  type KnownMismatches,
  readKnownMismatches,
} from "./known-mismatches.js";
import { type CorpusTally, newTally, showMismatch } from "./mismatch.js";
import { locateOpa, runOpa } from "./opa-binary.js";
import { runTestsCorpus } from "./tests-corpus.js";

/** The fixed seed of the generated cases CI runs every time. */
export const FIXED_SEED = 13;

const USAGE = `usage: npm run differential -- [options]

  (no options)       the CI run: the shared conformance corpus (answers, policy eval bytes,
                     policy check), ${300} generated cases with seed ${FIXED_SEED} and ${200} with a
                     random seed (printed); exit 1 on a mismatch not in the known list
  --only <corpus>    run one corpus: conformance, generated or tests
  --cases <n>        generated cases with the fixed seed (default 300)
  --random <n>       generated cases with a random seed (default 200)
  --seed <n>         the seed of the random batch; \`--cases 0 --random 1 --seed <n>\` replays
                     the case a log calls "generated seed <n>"
  --tests <dir>      also run <dir>'s *_test.rego with opa test and keygate policy test
  --v0               the --tests folder is Rego v0
  --filter <text>    conformance: only the folder or notes matching this text
  --dir <path>       conformance folder (default ../shared/conformance/opa)
  --opa <path>       the opa binary (default $KEYGATE_OPA, else scripts/install-opa.sh)
  --known <file>     the known-mismatch list (default packages/rego/differential-known-mismatches.json)
  -v, --verbose      print known mismatches' repros too
`;

/** Runs the differential command; resolves to the exit code (0 agreed or skipped, 1 new mismatch, 2 usage). */
export async function differentialMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    out(`differential: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    out(USAGE);
    return 0;
  }
  const only = v.only as Corpus | undefined;
  if (only !== undefined && !["conformance", "generated", "tests"].includes(only)) {
    out(`differential: --only takes conformance, generated or tests\n${USAGE}`);
    return 2;
  }
  const fixed = count(v.cases, 300);
  const random = count(v.random, 200);
  const seedArg = v.seed === undefined ? undefined : Number(v.seed);
  if (Number.isNaN(fixed) || Number.isNaN(random) || (seedArg !== undefined && !Number.isInteger(seedArg))) {
    out(`differential: --cases, --random and --seed take whole numbers\n${USAGE}`);
    return 2;
  }
  if (only === "tests" && v.tests === undefined) {
    out(`differential: --only tests needs --tests <dir>\n${USAGE}`);
    return 2;
  }
  if (v.tests !== undefined && !existsSync(v.tests)) {
    out(`differential: ${v.tests}: no such folder\n`);
    return 2;
  }

  const located = locateOpa(v.opa);
  if (located.kind === "missing") {
    out(`differential: skipped: no opa (${located.reason})\n`);
    return 0;
  }
  let known: KnownMismatches;
  try {
    known = readKnownMismatches(v.known ?? KNOWN_MISMATCHES_FILE);
  } catch (e) {
    out(`differential: ${(e as Error).message}\n`);
    return 2;
  }
  const cli = await loadKeygatePolicyCli();
  if (typeof cli === "string") {
    out(`differential: ${cli}\n`);
    return 2;
  }
  out(`differential: opa ${located.version} at ${located.path}\n`);
  const tallies: CorpusTally[] = [];
  const ran: Corpus[] = [];
  const started = performance.now();

  try {
    if (only === undefined || only === "conformance") {
      const dir = v.dir ?? DEFAULT_CONFORMANCE_DIR;
      if (!existsSync(dir)) out(`conformance: skipped (no conformance data at ${dir})\n`);
      else {
        const t = {
          answers: newTally("conformance"),
          evalBytes: newTally("eval-bytes"),
          check: newTally("check"),
        };
        await runConformanceCorpus({ opa: located.path, known, cli }, dir, t, (c) =>
          matchesFilter(c, v.filter),
        );
        tallies.push(t.answers, t.evalBytes, t.check);
        if (v.filter === undefined) ran.push("conformance", "eval-bytes", "check");
      }
    }
    if (only === undefined || only === "generated") {
      const caps = await runOpa(located.path, ["capabilities", "--current"]);
      const builtins = sampleBuiltins(JSON.parse(caps.stdout));
      const t = newTally("generated");
      const bytes = newTally("generated-bytes");
      const randomSeed = seedArg ?? Math.floor(Math.random() * 2 ** 31);
      out(
        `generated: ${builtins.length} builtins sampled; ${fixed} cases with seed ${FIXED_SEED}, ${random} with seed ${randomSeed}\n`,
      );
      let batchSeed = FIXED_SEED;
      const progress = (n: number) => {
        if (n % 50 === 0) {
          process.stderr.write(
            `generated (seed ${batchSeed}): ${n} cases compared; ${t.mismatches.length} mismatch(es) so far\n`,
          );
        }
      };
      const batches = [
        { seed: FIXED_SEED, count: fixed },
        { seed: randomSeed, count: random },
      ];
      for (const b of batches) {
        batchSeed = b.seed;
        if (b.count > 0) {
          await runGeneratedBatch(located.path, cli, builtins, known, b, { answers: t, bytes }, progress);
        }
      }
      tallies.push(t, bytes);
      ran.push("generated", "generated-bytes");
    }
    if (v.tests !== undefined && (only === undefined || only === "tests")) {
      const t = newTally("tests");
      await runTestsCorpus(located.path, cli, v.tests, v.v0 ? 0 : 1, known, t);
      tallies.push(t);
      ran.push("tests");
    }
  } finally {
    removeScratch();
  }

  let fresh = 0;
  for (const t of tallies) {
    for (const m of t.mismatches) {
      if (!m.known) fresh++;
      if (!m.known || v.verbose) out(`\n${showMismatch(m)}`);
    }
  }
  out("\n");
  for (const t of tallies) {
    const knownCount = t.mismatches.filter((m) => m.known).length;
    out(
      `${t.label.padEnd(22)} ${String(t.compared).padStart(5)} compared  ${String(t.agreed).padStart(5)} agree  ` +
        `${String(t.mismatches.length).padStart(4)} mismatch (${knownCount} known, ${t.mismatches.length - knownCount} new)` +
        `${t.skipped.length > 0 ? `  ${t.skipped.length} skipped` : ""}\n`,
    );
    if (v.verbose) for (const s of t.skipped) out(`    skipped ${s.id}: ${s.reason}\n`);
  }
  // An entry naming a case of a corpus that ran and matching nothing is fixed; an entry by
  // pattern may only have met no case this time (generated cases differ from run to run).
  const unused = known.unused(ran);
  const stale = unused.filter(
    (e) => e.case !== undefined && e.corpus !== "generated" && e.corpus !== "generated-bytes",
  );
  if (stale.length > 0) {
    out(`\nknown mismatches that no longer occur (remove them from ${v.known ?? KNOWN_MISMATCHES_FILE}):\n`);
    for (const e of stale) out(`  [${e.corpus}] ${e.case}: ${e.reason}\n`);
  }
  const unmet = unused.filter((e) => !stale.includes(e));
  if (unmet.length > 0) {
    out("\nknown mismatch classes not met in this run (fixed, or rare; remove when fixed):\n");
    for (const e of unmet) out(`  [${e.corpus}] ${e.reason.split(". Repro")[0]}\n`);
  }
  out(
    `\n${fresh === 0 ? "no new mismatch" : `${fresh} NEW MISMATCH(ES)`} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return fresh === 0 ? 0 : 1;
}

function count(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    options: {
      only: { type: "string" },
      cases: { type: "string" },
      random: { type: "string" },
      seed: { type: "string" },
      tests: { type: "string" },
      v0: { type: "boolean" },
      filter: { type: "string" },
      dir: { type: "string" },
      opa: { type: "string" },
      known: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
  });
}
