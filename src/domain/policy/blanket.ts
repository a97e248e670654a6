// Which user forbids shut an agent out of an action whatever the message says. Cedar cannot answer "is this agent
// denied for every sender?", but a forbid with no `when`/`unless` whose resource scope names no single message
// (`resource`, `resource in Channel::"sms"`, `resource is Message`) matches every message its scope covers, so a
// deny it determines holds for every sender. Watch creation uses this to refuse a watch that could never be served.
import { withCedar } from "./cedar";
import { MESSAGE } from "./schema";

/** Ids (of `policies`, user ids) of the forbids that hold for every sender in their scope. Throws a CedarTrap. */
export function blanketForbids(policies: Record<string, string>): Set<string> {
  return withCedar((c) => {
    const ids = new Set<string>();
    for (const [id, text] of Object.entries(policies)) {
      const json = c.policyToJson(text);
      if (json.type !== "success") continue;
      const p = json.json;
      if (p.effect === "forbid" && p.conditions.length === 0 && !namesAMessage(p.resource)) ids.add(id);
    }
    return ids;
  });
}

/** Whether a resource scope refers to one Message entity (a Message's id is its sender's address). */
function namesAMessage(scope: unknown): boolean {
  return JSON.stringify(scope).includes(`"type":${JSON.stringify(MESSAGE)}`);
}
