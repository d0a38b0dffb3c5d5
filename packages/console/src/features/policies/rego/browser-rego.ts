// Policies, Rego: the Rego engine compiled for the browser (loaded on demand, only on policy
// pages): compile a draft as the server does (the detected Rego version, else v1, else v0) and
// evaluate it on sample inputs. Builtins needing node:crypto are not available here.

type RegoModule = typeof import("@keygate/rego");

let loading: Promise<RegoModule> | undefined;

/** Loads the engine (one download, shared). */
export function loadRego(): Promise<RegoModule> {
  loading ??= (async () => {
    // The engine's PEM and base64 code reads Node's Buffer (some of it as it loads): the standard
    // browser implementation stands in, set before the engine's module is evaluated.
    const { Buffer } = await import("buffer");
    const scope = globalThis as { Buffer?: unknown };
    scope.Buffer ??= Buffer;
    return import("@keygate/rego");
  })();
  return loading;
}

/** One problem, with its 1-based line and column when known. */
export interface DraftProblem {
  readonly code: string;
  readonly message: string;
  readonly row?: number;
  readonly col?: number;
}

/** A compiled draft: its package, the node:crypto builtins it calls, and its prepared queries. */
export interface CompiledDraft {
  readonly packagePath: string;
  readonly cryptoBuiltins: readonly string[];
  /** The names of the rules the module defines (`deny`, `allow`, `roles`, ...). */
  readonly rules: ReadonlySet<string>;
  /** Evaluates a rule or query of the package on an input; undefined when undefined. */
  readonly evaluate: (query: string, input: unknown) => unknown;
}

/** The result of compiling a draft. */
export type DraftCompilation = { ok: true; draft: CompiledDraft } | { ok: false; problems: DraftProblem[] };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The reference to a rule of a package (`data.a.b.deny`). */
export function ruleRef(packagePath: string, rule: string): string {
  return `data${[...packagePath.split("."), rule].map((s) => (IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("")}`;
}

/** The query a policy's deny is read from: its own (HCP style, `data.` optional) or `<package>.deny`. */
export function denyQuery(query: string | null, packagePath: string): string {
  if (query === null || query.trim() === "") return ruleRef(packagePath, "deny");
  const head = query.split(/[.[\s]/, 1)[0];
  return head === "data" || head === "input" ? query : `data.${query}`;
}

function attempt(
  rego: RegoModule,
  file: string,
  source: string,
  version: 0 | 1 | undefined,
  query: string | null,
): DraftCompilation {
  try {
    const engine = new rego.Engine(version === undefined ? {} : { regoVersion: version });
    engine.addModule(file, source);
    const packagePath = engine.packages()[0];
    if (packagePath === undefined)
      return {
        ok: false,
        problems: [{ code: "rego_parse_error", message: "the policy has no package", row: 1, col: 1 }],
      };
    const deny = engine.prepare(denyQuery(query, packagePath));
    const cryptoBuiltins = [
      ...new Set(
        deny
          .dependencies()
          .builtins.map((b) => b.name)
          .filter((name) => rego.NODE_CRYPTO_BUILTINS.has(name)),
      ),
    ];
    const prepared = new Map<string, ReturnType<typeof engine.prepare>>();
    const evaluate = (q: string, input: unknown) => {
      let p = prepared.get(q);
      if (p === undefined) {
        p = engine.prepare(q);
        prepared.set(q, p);
      }
      return p.evaluate({ input })[0]?.expressions[0]?.value;
    };
    // Other rules (allow, roles) may call crypto builtins too.
    for (const rule of ["allow", "roles"]) {
      try {
        for (const b of engine.prepare(ruleRef(packagePath, rule)).dependencies().builtins)
          if (rego.NODE_CRYPTO_BUILTINS.has(b.name) && !cryptoBuiltins.includes(b.name))
            cryptoBuiltins.push(b.name);
      } catch {
        // The rule does not exist: nothing to add.
      }
    }
    const rules = new Set<string>();
    for (const rule of engine.modules()[0]?.rules ?? []) {
      const head = rule.head.ref.head as { type: string; name?: string; value?: unknown };
      if (typeof head.name === "string") rules.add(head.name);
      else if (typeof head.value === "string") rules.add(head.value);
    }
    return { ok: true, draft: { packagePath, cryptoBuiltins, rules, evaluate } };
  } catch (error) {
    if (!(error instanceof rego.RegoError)) throw error;
    return {
      ok: false,
      problems: error.errors.map((e) => ({
        code: e.code,
        message: e.message,
        ...(e.location ? { row: e.location.row, col: e.location.col } : {}),
      })),
    };
  }
}

/** Compiles a draft (file `<name>.rego`) as the server would; its problems at line:col otherwise. */
export async function compileDraft(
  name: string,
  source: string,
  query: string | null,
): Promise<DraftCompilation> {
  const rego = await loadRego();
  const file = `${name || "draft"}.rego`;
  const detected = attempt(rego, file, source, undefined, query);
  if (detected.ok) return detected;
  for (const version of [1, 0] as const) {
    const explicit = attempt(rego, file, source, version, query);
    if (explicit.ok) return explicit;
  }
  return detected;
}
