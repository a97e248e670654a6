// Cedar's diagnostics, reshaped for the people who wrote the policy: 1-based line and column instead of byte
// offsets, nested parse errors flattened, and messages in words (plain.ts) with the policy named in `policy` only.
import type { DetailedError } from "@cedar-policy/cedar-wasm/web";
import { positionAt } from "./location";
import { plainCedarLabel, plainCedarText } from "./plain";

export interface PolicyProblem {
  message: string;
  line?: number;
  column?: number;
  help?: string;
  /** The id (`user.0` or its `@id`) of the policy at fault, when Cedar names one. */
  policy?: string;
}

/** Maps Cedar's `policyN` (N = position in the text) to the id we give that policy. */
export type RenameIds = (cedarId: string) => string;

const PARSE_PREFIX = /^failed to parse policies from string: /;

export function toProblems(text: string, error: DetailedError, rename?: RenameIds, policy?: string): PolicyProblem[] {
  const relabel = (s: string) => (rename ? s.replace(/`(policy\d+)`/g, (_, id: string) => `\`${rename(id)}\``) : s);
  const source = error.sourceLocations?.[0];
  const label = source?.label ? ` (${plainCedarLabel(source.label)})` : "";
  const own: PolicyProblem = {
    message: plainCedarText(relabel(error.message.replace(PARSE_PREFIX, ""))) + label,
    ...(source ? positionAt(text, source.start) : {}),
    ...(error.help ? { help: plainCedarText(relabel(error.help)) } : {}),
    ...(policy === undefined ? {} : { policy }),
  };
  return [own, ...(error.related ?? []).flatMap((e) => toProblems(text, e, rename, policy))];
}
