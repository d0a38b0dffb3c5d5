// Domain layer, login policies: the limits of login policies on the request path. Each evaluation
// has a budget of its own (time and steps, far below the save path's), and each organization may
// spend only so much CPU on login evaluations per second; the process sets them once at start
// (`keygate serve` reads KEYGATE_LOGIN_POLICY_* through the server configuration).

/** The request-path limits of login policies. */
export interface LoginPolicyLimits {
  /** Wall-clock milliseconds one login policy may run (default 25). */
  readonly timeoutMs: number;
  /** Expressions one login policy may evaluate (default 1,000,000). */
  readonly maxSteps: number;
  /** Milliseconds of login-policy CPU one organization may use per second before its callers get 503 (default 50). */
  readonly cpuMsPerSecond: number;
}

/** The limits used unless configured otherwise. */
export const DEFAULT_LOGIN_POLICY_LIMITS: LoginPolicyLimits = Object.freeze({
  timeoutMs: 25,
  maxSteps: 1_000_000,
  cpuMsPerSecond: 50,
});

let current: LoginPolicyLimits = DEFAULT_LOGIN_POLICY_LIMITS;

/** The limits in force in this process. */
export function loginPolicyLimits(): LoginPolicyLimits {
  return current;
}

/**
 * Sets the limits of this process (before serving: policies compiled earlier keep the budget they
 * were compiled with until their organization's policies change).
 */
export function configureLoginPolicyLimits(limits: Partial<LoginPolicyLimits>): LoginPolicyLimits {
  current = Object.freeze({ ...DEFAULT_LOGIN_POLICY_LIMITS, ...definedOnly(limits) });
  return current;
}

function definedOnly(limits: Partial<LoginPolicyLimits>): Partial<LoginPolicyLimits> {
  const out: { -readonly [K in keyof LoginPolicyLimits]?: number } = {};
  for (const key of ["timeoutMs", "maxSteps", "cpuMsPerSecond"] as const) {
    const value = limits[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
