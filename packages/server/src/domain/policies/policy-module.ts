// Domain layer, policies: turns a policy's Rego text into prepared queries with our engine (the
// module's Rego version detected by the engine, else v1, else v0, so policies written for either
// are accepted unchanged), or into every problem found, each with its file, line and column.
import { type BudgetLimits, Engine, type Module, RegoError } from "@keygate/rego";

/** One problem in a policy's text, as reported to the author. */
export interface PolicyProblem {
  /** OPA's error code (`rego_parse_error`, `rego_compile_error`, ...). */
  readonly code: string;
  readonly message: string;
  readonly location?: { readonly file: string; readonly row: number; readonly col: number };
}

/** A prepared (compiled) query, evaluated many times. */
export type PreparedPolicyQuery = ReturnType<Engine["prepare"]>;

/** The Rego syntax versions a policy may be written in. */
export type PolicyRegoVersion = 0 | 1;

/** A module compiled with its queries prepared. */
export interface CompiledModule {
  /** The package path, e.g. `opapolicy` or `a.b`. */
  readonly packagePath: string;
  readonly regoVersion: PolicyRegoVersion;
  /** The prepared queries, in the order asked for. */
  readonly queries: readonly PreparedPolicyQuery[];
  /** The parsed module: its rules, with their locations. */
  readonly syntax: Module;
}

/** The outcome of compiling: the module, or every problem found. */
export type ModuleCompilation =
  | { readonly ok: true; readonly module: CompiledModule }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The Rego reference to a package (`data.a.b`, `data.a["b-c"]`), or to one of its rules. */
export function packageRef(packagePath: string, rule?: string): string {
  const segments = [...packagePath.split("."), ...(rule === undefined ? [] : [rule])];
  return `data${segments.map((s) => (IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("")}`;
}

function problemsOf(error: unknown): PolicyProblem[] {
  if (!(error instanceof RegoError)) throw error;
  return error.errors.map((e) => ({
    code: e.code,
    message: e.message,
    ...(e.location ? { location: { file: e.location.file, row: e.location.row, col: e.location.col } } : {}),
  }));
}

/** Options of compileModule. */
export interface CompileModuleOptions {
  /** The budget of every evaluation of the prepared queries (default: the engine's). */
  readonly budget?: BudgetLimits;
}

function tryCompile(
  file: string,
  source: string,
  version: PolicyRegoVersion | undefined,
  queriesFor: (packagePath: string) => readonly string[],
  options: CompileModuleOptions,
): ModuleCompilation {
  try {
    const engine = new Engine({
      ...(version === undefined ? {} : { regoVersion: version }),
      ...(options.budget === undefined ? {} : { budget: options.budget }),
    });
    engine.addModule(file, source);
    const syntax = engine.modules()[0];
    const packagePath = engine.packages()[0];
    if (syntax === undefined || packagePath === undefined) {
      return {
        ok: false,
        problems: [
          {
            code: "rego_parse_error",
            message: "the policy has no package",
            location: { file, row: 1, col: 1 },
          },
        ],
      };
    }
    const queries = queriesFor(packagePath).map((q) => engine.prepare(q));
    return { ok: true, module: { packagePath, regoVersion: syntax.regoVersion, queries, syntax } };
  } catch (error) {
    return { ok: false, problems: problemsOf(error) };
  }
}

/**
 * Compiles `source` (file name `file`) and prepares the queries built from its package path. The
 * engine detects the module's Rego version; when that fails, v1 and then v0 are tried, and if all
 * fail the problems of the detected attempt are reported.
 */
export function compileModule(
  file: string,
  source: string,
  queriesFor: (packagePath: string) => readonly string[],
  options: CompileModuleOptions = {},
): ModuleCompilation {
  const detected = tryCompile(file, source, undefined, queriesFor, options);
  if (detected.ok) return detected;
  for (const version of [1, 0] as const) {
    const explicit = tryCompile(file, source, version, queriesFor, options);
    if (explicit.ok) return explicit;
  }
  return detected;
}

/** The value of the first expression of a query's first result, or undefined when undefined. */
export function evaluateValue(query: PreparedPolicyQuery, input: unknown, nowNs?: bigint): unknown {
  const results = query.evaluate(nowNs === undefined ? { input } : { input, nowNs });
  return results[0]?.expressions[0]?.value;
}
