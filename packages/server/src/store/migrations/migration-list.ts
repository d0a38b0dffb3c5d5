// Storage layer: the ordered list of migrations. Adding a migration is one line here: its file
// name (without extension) in `store/migrations/`, which must export `up` (and `down`).

/** Migration module names, oldest first; each is `./<name>.js` and exports `up`/`down`. */
export const MIGRATION_NAMES: readonly string[] = [
  "0001-core",
  "0003-governance" /* policies, policy sets, evaluations, samples */,
  "0005-delegates" /* delegate tokens, delegate connections */,
  "0007-change-sequences" /* per-organization change counters */,
  "0009-sessions-invitations" /* console sessions, invitations */,
  "0011-api-key-tags" /* api_keys.tags */,
];
