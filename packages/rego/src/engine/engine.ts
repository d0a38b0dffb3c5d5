// Engine: the library's public face. Modules are parsed and compiled when added (errors are
// thrown as RegoError with every problem found); queries are compiled once by `prepare` and
// evaluated many times against the engine's current data.

import type { BuiltinDefinition, HostCapabilities } from "../builtins/builtin.js";
import { BUILTINS } from "../builtins/index.js";
import { type CompiledPolicy, compileModules, compileQuery } from "../compile/compiler.js";
import { checkDataConflicts } from "../compile/data-conflicts.js";
import { RegoError, type RegoErrorDetail } from "../errors.js";
import type { BudgetLimits } from "../eval/budget.js";
import type { Module, RegoVersion } from "../syntax/ast.js";
import { parseModule, parseQuery } from "../syntax/parser.js";
import { fromJson } from "../value/json.js";
import { RegoObject, type Value } from "../value/value.js";
import { PreparedQuery } from "./prepared-query.js";
import type { EvaluateOptions, QueryResult } from "./query-result.js";

/** Options of an engine. */
export interface EngineOptions {
  /** Rego version of every module (default: detected per module). */
  readonly regoVersion?: RegoVersion;
  /** Limits of each evaluation (steps and time). */
  readonly budget?: BudgetLimits;
  /** Raise builtin errors instead of treating the call as undefined (OPA's `strict-builtin-errors`). */
  readonly strictBuiltinErrors?: boolean;
  /** Extra or replacement builtins. */
  readonly builtins?: readonly BuiltinDefinition[];
  /** Host capabilities (e.g. `http.send`); all off by default. */
  readonly capabilities?: HostCapabilities;
  /** Where `print` output goes (default: discarded). */
  readonly print?: (message: string) => void;
  /**
   * Evaluate every rule with the interpreter, never with its plan (the closures rules are
   * compiled to). Slower; for checking that both give the same results.
   */
  readonly interpretOnly?: boolean;
}

/** A module source to add. */
export interface ModuleSource {
  readonly file: string;
  readonly source: string;
  readonly regoVersion?: RegoVersion;
}

/** A Rego engine: modules, data, and queries over them. */
export class Engine {
  private readonly modulesByFile = new Map<string, Module>();
  private compiled: CompiledPolicy;
  private data: Value = new RegoObject();
  private readonly builtins: ReadonlyMap<string, BuiltinDefinition>;

  constructor(readonly options: EngineOptions = {}) {
    const all = new Map(BUILTINS);
    for (const b of options.builtins ?? []) all.set(b.name, b);
    this.builtins = all;
    this.compiled = this.compileOrThrow([]);
  }

  /** Parses and compiles a module, replacing one of the same file name. Throws RegoError. */
  addModule(file: string, source: string, options: { regoVersion?: RegoVersion } = {}): void {
    this.addModules([{ file, source, ...options }]);
  }

  /**
   * Adds several modules at once: all of them compile together, or none is added. A rule on a
   * path the current base data also defines is refused, as OPA refuses it.
   */
  addModules(sources: readonly ModuleSource[]): void {
    const parsed: Module[] = [];
    const errors: RegoErrorDetail[] = [];
    for (const s of sources) {
      const version = s.regoVersion ?? this.options.regoVersion;
      try {
        const options = version === undefined ? {} : { regoVersion: version };
        parsed.push(withinStack("rego_parse_error", () => parseModule(s.file, s.source, options)));
      } catch (e) {
        if (e instanceof RegoError) errors.push(...e.errors);
        else throw e;
      }
    }
    if (errors.length > 0) throw new RegoError(errors);
    const next = new Map(this.modulesByFile);
    for (const m of parsed) next.set(m.file, m);
    const compiled = this.compileOrThrow([...next.values()]);
    const conflicts = checkDataConflicts(compiled.root, this.data);
    if (conflicts.length > 0) throw new RegoError(sortErrors(conflicts));
    this.compiled = compiled;
    this.modulesByFile.clear();
    for (const [k, v] of next) this.modulesByFile.set(k, v);
  }

  /** Removes a module (no-op if absent). */
  removeModule(file: string): void {
    if (!this.modulesByFile.has(file)) return;
    const next = new Map(this.modulesByFile);
    next.delete(file);
    this.compiled = this.compileOrThrow([...next.values()]);
    this.modulesByFile.delete(file);
  }

  /**
   * Replaces the base documents under `data` (plain JSON, or Rego values). Throws RegoError
   * (`rego_compile_error`) when the data defines a path a rule defines.
   */
  setData(data: unknown): void {
    let v: Value;
    try {
      v = fromJson(data);
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw RegoError.of("rego_compile_error", "data is nested too deeply to be read");
      }
      throw e;
    }
    if (!(v instanceof RegoObject)) {
      throw RegoError.of(
        "rego_compile_error",
        `data must be an object, got ${Array.isArray(data) ? "array" : typeof data}`,
      );
    }
    const conflicts = checkDataConflicts(this.compiled.root, v);
    if (conflicts.length > 0) throw new RegoError(sortErrors(conflicts));
    this.data = v;
  }

  /** The parsed modules, by file name. */
  modules(): readonly Module[] {
    return [...this.modulesByFile.values()];
  }

  /** The package paths of loaded modules (`authz.login`), sorted, without duplicates. */
  packages(): string[] {
    const out = new Set<string>();
    for (const m of this.modulesByFile.values()) {
      out.add(m.package.path.path.map((p) => (p.type === "string" ? p.value : "")).join("."));
    }
    return [...out].sort();
  }

  /** Compiles a query for repeated evaluation. Throws RegoError on parse or compile errors. */
  prepare(query: string): PreparedQuery {
    const body = withinStack("rego_parse_error", () => parseQuery(query));
    const { query: compiled, errors } = withinStack("rego_compile_error", () => compileQuery(body, this.compiled));
    if (errors.length > 0) throw new RegoError(sortErrors(errors));
    return new PreparedQuery(
      this.compiled,
      compiled,
      body,
      () => this.data,
      {
        strictBuiltinErrors: this.options.strictBuiltinErrors ?? false,
        budget: this.options.budget ?? {},
        print: this.options.print ?? (() => {}),
        capabilities: this.options.capabilities ?? {},
        plans: this.options.interpretOnly !== true,
      },
      query,
    );
  }

  /** Prepares and evaluates a query once. */
  evalQuery(query: string, options: EvaluateOptions = {}): QueryResult[] {
    return this.prepare(query).evaluate(options);
  }

  private compileOrThrow(modules: readonly Module[]): CompiledPolicy {
    const { policy, errors } = withinStack("rego_compile_error", () => compileModules(modules, this.builtins));
    if (errors.length > 0) throw new RegoError(sortErrors(errors));
    return policy;
  }
}

/**
 * Runs a parse or compile stage, turning a stack overflow into an error of the stage's code. The
 * stages bound how deep a policy nests (syntax/nesting.ts); this is the backstop that keeps
 * any text that still gets through from escaping as a RangeError.
 */
function withinStack<T>(code: "rego_parse_error" | "rego_compile_error", run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw RegoError.of(code, "policy nested too deeply to process");
    }
    throw e;
  }
}

function sortErrors(errors: readonly RegoErrorDetail[]): RegoErrorDetail[] {
  return [...errors].sort((a, b) => {
    const la = a.location;
    const lb = b.location;
    if (!la || !lb) return la ? -1 : lb ? 1 : 0;
    return la.file.localeCompare(lb.file) || la.row - lb.row || la.col - lb.col;
  });
}
