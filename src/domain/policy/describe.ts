// One line for the message log saying why a message was or was not handed to an agent, in the admin's terms.
import type { PolicyDecision } from "./engine";
import type { DecisionQuery } from "./request";

export function describeDecision(d: PolicyDecision, q: Pick<DecisionQuery, "action" | "sender">): string {
  const errors = d.errors.length > 0 ? `; ${d.errors.length} error(s), first: ${d.errors[0]}` : "";
  if (d.decision === "allow") return `allowed by ${d.reasons.join(", ")}${errors}`;
  if (d.reasons.length > 0) return `denied by ${d.reasons.join(", ")}${errors}`;
  return `no policy permits ${q.action} (sender ${q.sender.paired ? "paired" : "not paired"})${errors}`;
}
