// Compile stage, with the base documents: a rule and base data may not define the same path
// (OPA: "conflicting rule for data path a/b/c found", checked when policies or data change).

import type { RegoErrorDetail } from "../errors.js";
import { RegoObject, type Value } from "../value/value.js";
import type { RuleNode } from "./rule-tree.js";

/** The rule paths that base data also defines, one error per path (at its first rule). */
export function checkDataConflicts(root: RuleNode, data: Value): RegoErrorDetail[] {
  const errors: RegoErrorDetail[] = [];
  // Iterative: rule trees can be deep, and data no less.
  const stack: { node: RuleNode; doc: Value }[] = [{ node: root, doc: data }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    for (const child of item.node.children.values()) {
      const segment = child.path[child.path.length - 1] as string;
      if (!(item.doc instanceof RegoObject)) continue;
      const doc = item.doc.get(segment);
      if (doc === undefined) continue;
      const rule = child.rules[0] ?? child.defaultRule;
      if (rule !== undefined) {
        errors.push({
          code: "rego_compile_error",
          message: `conflicting rule for data path ${child.path.join("/")} found`,
          location: rule.location,
        });
        continue;
      }
      stack.push({ node: child, doc });
    }
  }
  return errors;
}
