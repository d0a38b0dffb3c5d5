// Domain layer, policies: turns a policy's Rego text into prepared queries with our engine (Rego
// v1 first, then v0, so policies written for either are accepted unchanged), or into every
// problem found, each with its file, line and column.
import { Engine, RegoError } from "@keygate/rego";

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
}

/** The outcome of compiling: the module, or every problem found. */
export type ModuleCompilation =
  | { readonly ok: true; readonly module: CompiledModule }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

const PACKAGE_CLAUSE = /^package\s+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\["[^"\\]*"\])*)/;

/** The package path declared by a module (the first statement, after comments), or undefined. */
export function packagePathOf(source: string): string | undefined {
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    return PACKAGE_CLAUSE.exec(line)?.[1];
  }
  return undefined;
}

/** True when the module defines a top-level rule of that name (e.g. `warn`). */
export function definesRule(source: string, name: string): boolean {
  return new RegExp(`^\\s*(?:default\\s+)?${name}\\b(?!\\s*:?=\\s*=)`, "m").test(source);
}

function problemsOf(error: unknown): PolicyProblem[] {
  if (!(error instanceof RegoError)) throw error;
  return error.errors.map((e) => ({
    code: e.code,
    message: e.message,
    ...(e.location ? { location: { file: e.location.file, row: e.location.row, col: e.location.col } } : {}),
  }));
}

function tryCompile(
  file: string,
  source: string,
  version: PolicyRegoVersion,
  queriesFor: (packagePath: string) => readonly string[],
  packagePath: string,
): ModuleCompilation {
  try {
    const engine = new Engine({ regoVersion: version });
    engine.addModule(file, source);
    const queries = queriesFor(packagePath).map((q) => engine.prepare(q));
    return { ok: true, module: { packagePath, regoVersion: version, queries } };
  } catch (error) {
    return { ok: false, problems: problemsOf(error) };
  }
}

function furthestRow(problems: readonly PolicyProblem[]): number {
  return problems[0]?.location?.row ?? 0;
}

/**
 * Compiles `source` (file name `file`) and prepares the queries built from its package path.
 * Tries Rego v1, then v0; when both fail, reports the attempt that got further into the file.
 */
export function compileModule(
  file: string,
  source: string,
  queriesFor: (packagePath: string) => readonly string[],
): ModuleCompilation {
  const packagePath = packagePathOf(source);
  if (packagePath === undefined) {
    return {
      ok: false,
      problems: [
        {
          code: "rego_parse_error",
          message: "the policy must start with a package declaration, e.g. `package opapolicy`",
          location: { file, row: 1, col: 1 },
        },
      ],
    };
  }
  const v1 = tryCompile(file, source, 1, queriesFor, packagePath);
  if (v1.ok) return v1;
  const v0 = tryCompile(file, source, 0, queriesFor, packagePath);
  if (v0.ok) return v0;
  return furthestRow(v0.problems) > furthestRow(v1.problems) ? v0 : v1;
}

/** The value of the first expression of a query's first result, or undefined when undefined. */
export function evaluateValue(query: PreparedPolicyQuery, input: unknown, nowNs?: bigint): unknown {
  const results = query.evaluate({ input, ...(nowNs !== undefined ? { nowNs } : {}) } as Parameters<
    PreparedPolicyQuery["evaluate"]
  >[0]);
  return results[0]?.expressions[0]?.value;
}
