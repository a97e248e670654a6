// Refuses, when it is created, a watch whose agent the policies in force will never let take a signal, so an agent
// learns at once instead of waiting out its timeout. Cedar cannot be asked "denied for every sender?", so:
// - a watch that names `from` can only ever take that sender's signals: it is decided for that sender, paired or
//   not on the channel as things stand, with the channel's paired addresses;
// - a watch on one channel without `from` is refused when a forbid that holds for every sender (no when/unless,
//   no single message named: see domain/policy/blanket.ts) denies its agent on that channel;
// - a watch on any signal-mode channel is refused only when such a forbid denies its agent on every channel,
//   present or future (asked for a channel handle no channel can have), e.g. `forbid(principal ==
//   Policy::Agent::"x", action == Policy::Action::"receive_signal", resource);`.
// Anything narrower is decided per signal when one arrives (a denied watch never sees it).
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { PolicySet } from "../db/policies";
import { pairedAddresses } from "../db/schema";
import { getPolicyEngine, type DecisionQuery } from "../domain/policy";
import { AppError } from "../lib/errors";

/** Neither a channel handle nor a sender address can be "*": a probe no policy can name. */
const PROBE = "*";

/**
 * Refuses the watch when its agent may receive no signal it could ever take: every channel it watches (or any
 * channel) crossed with every sender it names (or any sender) is denied as above.
 */
export async function refuseUnservable(db: Db, policy: PolicySet, w: { agent: string; channels: { id: string; handle: string }[] | null; from: string[] | null }): Promise<void> {
  const engine = getPolicyEngine(policy.text, String(policy.version));
  const base = { agent: w.agent, action: "receive_signal" as const };
  const reasons = new Set<string>();
  const denied = async (channel: { id: string; handle: string } | null, from: string | null): Promise<boolean> => {
    let why: string[];
    if (channel && from) {
      const paired = await db.select({ address: pairedAddresses.address }).from(pairedAddresses).where(eq(pairedAddresses.channelId, channel.id)).all();
      const q: DecisionQuery = { ...base, channel: channel.handle, sender: { address: from, paired: paired.some((p) => p.address === from) }, pairedAddresses: paired.map((p) => p.address) };
      const d = engine.decide(q);
      why = d.decision === "deny" ? [...d.reasons, ...d.errors] : [];
    } else {
      why = engine.blanketDenial({ ...base, channel: channel?.handle ?? PROBE, sender: { address: PROBE, paired: false }, pairedAddresses: [] });
    }
    for (const r of why) reasons.add(r);
    return why.length > 0;
  };
  for (const channel of w.channels ?? [null]) {
    for (const from of w.from ?? [null]) if (!(await denied(channel, from))) return;
  }
  const where = w.channels ? `on channel${w.channels.length > 1 ? "s" : ""} ${w.channels.map((c) => `"${c.handle}"`).join(", ")}${w.from ? ` from ${w.from.join(", ")}` : ""}` : "on any channel";
  throw new AppError(403, "signal_forbidden", `The policies in force (version ${policy.version}) forbid agent "${w.agent}" to receive signals ${where} (${[...reasons].join(", ")}), so this watch could never be served.`, {
    reasons: [...reasons],
  });
}
