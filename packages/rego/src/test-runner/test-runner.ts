// Test runner, on top of the public Engine: runs `test_` rules as `opa test` does.

import { Engine, type EngineOptions } from "../engine/engine.js";
import { RegoError, type RegoErrorDetail } from "../errors.js";
import type { Module, Rule } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { parseModule } from "../syntax/parser.js";
import type { Json } from "../value/json.js";

/** A policy source to load: its file name and text. */
export interface PolicySource {
  readonly file: string;
  readonly source: string;
}

/** How one test ended: true (PASS), false or undefined (FAIL), an error (ERROR), or `todo_test_` (SKIP). */
export type TestOutcome = "pass" | "fail" | "error" | "skip";

/** The result of one test rule. */
export interface TestResult {
  /** Full path of the rule, e.g. `data.authz.test_allow`. */
  readonly name: string;
  readonly package: string;
  readonly location: Location;
  readonly outcome: TestOutcome;
  readonly durationMs: number;
  readonly error?: RegoErrorDetail;
  /** Lines written by `print` during the test. */
  readonly output: readonly string[];
}

/** Options of a test run. */
export interface TestRunOptions {
  /** Base documents under `data`. */
  readonly data?: Json;
  /** Only tests whose full name matches this pattern run. */
  readonly filter?: RegExp;
  /** Engine options (version, budget). */
  readonly engine?: EngineOptions;
  /** Called as the run goes: after each module is parsed, once compiled, and after each test. */
  readonly onProgress?: (progress: TestProgress) => void;
}

/** How far a test run has got: `done` of `total` in its current stage. */
export interface TestProgress {
  readonly stage: "parse" | "compile" | "test";
  readonly done: number;
  readonly total: number;
}

/** The outcome of a whole run: one result per test, or the errors that kept the modules from compiling. */
export type TestReport =
  | { readonly kind: "ran"; readonly results: readonly TestResult[] }
  | { readonly kind: "compile-failed"; readonly errors: readonly RegoErrorDetail[] };

/** Loads the modules, then evaluates every `test_` rule (and reports `todo_test_` rules as skipped). */
export function runTests(sources: readonly PolicySource[], options: TestRunOptions = {}): TestReport {
  const parsed: Module[] = [];
  const errors: RegoErrorDetail[] = [];
  const progress = options.onProgress;
  for (const s of sources) {
    try {
      parsed.push(parseModule(s.file, s.source, versionOption(options)));
    } catch (e) {
      if (e instanceof RegoError) errors.push(...e.errors);
      else throw e;
    }
    progress?.({ stage: "parse", done: parsed.length, total: sources.length });
  }
  if (errors.length > 0) return { kind: "compile-failed", errors };

  const output: string[] = [];
  const engine = new Engine({ ...options.engine, print: (line: string) => output.push(line) });
  try {
    engine.addModules(sources.map((s) => ({ file: s.file, source: s.source })));
    if (options.data !== undefined) engine.setData(options.data);
  } catch (e) {
    if (e instanceof RegoError) return { kind: "compile-failed", errors: e.errors };
    throw e;
  }
  progress?.({ stage: "compile", done: 1, total: 1 });

  const results: TestResult[] = [];
  const tests = collectTests(parsed).filter((t) => !options.filter || options.filter.test(t.name));
  for (const test of tests) {
    progress?.({ stage: "test", done: results.length, total: tests.length });
    if (test.todo) {
      results.push({ ...test, outcome: "skip", durationMs: 0, output: [] });
      continue;
    }
    output.length = 0;
    const started = performance.now();
    let outcome: TestOutcome;
    let error: RegoErrorDetail | undefined;
    try {
      // As `opa test`: the test passes only when the rule is defined and exactly `true`.
      const rs = engine.evalQuery(test.name);
      const value = rs[0]?.expressions[0]?.value;
      outcome = value === true ? "pass" : "fail";
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      outcome = "error";
      error = e.errors[0];
    }
    const durationMs = performance.now() - started;
    results.push({ ...test, outcome, durationMs, output: [...output], ...(error ? { error } : {}) });
  }
  progress?.({ stage: "test", done: results.length, total: tests.length });
  return { kind: "ran", results };
}

interface TestRule {
  readonly name: string;
  readonly package: string;
  readonly location: Location;
  readonly todo: boolean;
}

function collectTests(modules: readonly Module[]): TestRule[] {
  const seen = new Set<string>();
  const tests: TestRule[] = [];
  for (const m of modules) {
    const pkg = packagePath(m);
    for (const rule of m.rules) {
      const name = simpleRuleName(rule);
      if (name === undefined || rule.head.args !== undefined) continue;
      // `opa test` runs `test_` rules and reports `todo_test_` rules as skipped.
      const todo = name.startsWith("todo_test_");
      if (!todo && !name.startsWith("test_")) continue;
      const full = `${pkg}.${name}`;
      if (seen.has(full)) continue;
      seen.add(full);
      tests.push({ name: full, package: pkg, location: rule.location, todo });
    }
  }
  return tests;
}

function simpleRuleName(rule: Rule): string | undefined {
  const ref = rule.head.ref;
  if (ref.head.type !== "var" || ref.path.length > 0) return undefined;
  return ref.head.name;
}

/** The package as a ref usable in a query: `data.a.b`, with `["x-y"]` for parts that are not names. */
function packagePath(m: Module): string {
  let out = "data";
  for (const t of m.package.path.path) {
    const part = t.type === "string" ? t.value : "";
    out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return out;
}

function versionOption(options: TestRunOptions): { regoVersion?: 0 | 1 } {
  const v = options.engine?.regoVersion;
  return v === undefined ? {} : { regoVersion: v };
}
