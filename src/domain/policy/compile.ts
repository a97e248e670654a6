// Turns a user's policy text into the set the engine runs, or into problems to show them. This is the gate:
// the engine refuses text that fails here, because Cedar skips a policy that errors at evaluation time, and a
// skipped `forbid` would quietly let a blocked sender through.
import { BASE_ID_PREFIX } from "./base";
import { CedarTrap, withCedar, type Cedar } from "./cedar";
import { checkPolicyShape } from "./limits";
import { toProblems, type PolicyProblem } from "./problems";
import { SCHEMA } from "./schema";

export type Compiled = { ok: true; policies: Record<string, string>; ids: string[] } | { ok: false; errors: PolicyProblem[] };

export function compilePolicies(text: string): Compiled {
  const shape = checkPolicyShape(text);
  if (shape) return { ok: false, errors: [shape] };
  try {
    return withCedar((c) => compileWith(c, text));
  } catch (err) {
    // Refused, not saved and not run: a set Cedar cannot digest fails closed like any invalid one.
    if (err instanceof CedarTrap) return { ok: false, errors: [{ message: `Cedar could not process this text (${err.message})` }] };
    throw err;
  }
}

function compileWith(c: Cedar, text: string): Compiled {
  const checked = c.validate({ schema: SCHEMA, policies: { staticPolicies: text } });
  if (checked.type === "failure") return { ok: false, errors: checked.errors.flatMap((e) => toProblems(text, e)) };

  const parts = c.policySetTextToParts(text);
  if (parts.type === "failure") return { ok: false, errors: parts.errors.flatMap((e) => toProblems(text, e)) };
  if (parts.policy_templates.length > 0) {
    return { ok: false, errors: [{ message: "Policy templates (?principal, ?resource) are not supported" }] };
  }

  // Cedar numbers policies by position (`policy0`, `policy1`, …) but returns the parts sorted by that id as a
  // string, so policy10 comes before policy2; undo the sort to recover each part's position in the text.
  const byPosition: string[] = [];
  const sortedIds = parts.policies.map((_, i) => `policy${i}`).sort();
  parts.policies.forEach((part, k) => (byPosition[Number(sortedIds[k]!.slice("policy".length))] = part));

  // Ids become object keys: duplicates are found in the list, not with `in` (which would see "constructor"), and
  // the object is built with fromEntries, not assignment, so @id("__proto__") stays a policy, not a prototype.
  const ids: string[] = [];
  const errors: PolicyProblem[] = [];
  byPosition.forEach((part, i) => {
    const json = c.policyToJson(part);
    const id = (json.type === "success" ? json.json.annotations?.["id"] : undefined) ?? `user.${i}`;
    if (id === "" || id.startsWith(BASE_ID_PREFIX)) errors.push({ message: `@id("${id}") is reserved`, policy: id });
    else if (ids.includes(id)) errors.push({ message: `two policies have the id "${id}"`, policy: id });
    ids.push(id);
  });
  const policies = Object.fromEntries(ids.map((id, i) => [id, byPosition[i]!]));

  const rename = (cedarId: string) => ids[Number(cedarId.slice("policy".length))] ?? cedarId;
  for (const { policyId, error } of checked.validationErrors) errors.push(...toProblems(text, error, rename, rename(policyId)));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policies, ids };
}

/** Parse and validate against the schema, for the editor and the admin API. Empty text is a valid, empty set. */
export function validatePolicies(text: string): { ok: true; policies: number } | { ok: false; errors: PolicyProblem[] } {
  const compiled = compilePolicies(text);
  return compiled.ok ? { ok: true, policies: compiled.ids.length } : compiled;
}
