// Who may take a signal: `receive_signal` decided for the agent of each watch that fits it, with the facts of the
// channel it arrived on (the channel's handle, the sender and whether it is paired there, the paired addresses).
// Made per signal by the object that holds those facts; the decisions are the engine's, memoized per question, so
// asking for every fitting watch costs a map lookup after the first. The denials are kept for the message record.
import type { DecisionQuery, PolicyDecision, PolicyEngine } from "../domain/policy";

/** A signal's side of the Cedar question: everything but the agent. Plain data, so it crosses RPC to the hub. */
export type SignalFacts = Omit<DecisionQuery, "agent" | "action">;

export interface PolicyInForce {
  version: number;
  engine: PolicyEngine;
}

export interface WatchDenial {
  watch_id: string;
  agent: string | null;
  reasons: string[];
}

/** How many denials a message's record keeps (a busy channel could have many fitting watches). */
const MAX_DENIALS = 10;

export class SignalAccess {
  readonly #denied = new Map<string, WatchDenial>();

  constructor(
    public policy: PolicyInForce,
    readonly facts: SignalFacts,
  ) {}

  /** A newer policy came into force while a decision was pending (an await): decisions from now on use it. */
  adopt(policy: PolicyInForce) {
    if (policy.version > this.policy.version) this.policy = policy;
  }

  decide(agent: string): PolicyDecision {
    return this.policy.engine.decide({ ...this.facts, agent, action: "receive_signal" });
  }

  /** Whether this watch's agent may take the signal; a watch with no recorded agent never may (fail closed). */
  mayTake = (w: { id: string; agent?: string | null }): boolean => {
    const d = w.agent ? this.decide(w.agent) : null;
    if (d?.decision === "allow") return true;
    this.deny({ watch_id: w.id, agent: w.agent ?? null, reasons: d ? [...d.reasons, ...d.errors] : ["no agent recorded for the watch"] });
    return false;
  };

  deny(d: WatchDenial) {
    if (this.#denied.size < MAX_DENIALS || this.#denied.has(d.watch_id)) this.#denied.set(d.watch_id, d);
  }

  get denied(): WatchDenial[] {
    return [...this.#denied.values()];
  }

  /** What the message's record says about the decisions (only when some watch was passed over). */
  record(): { signal_policy: { version: number; denied: WatchDenial[] } } | Record<string, never> {
    return this.#denied.size ? { signal_policy: { version: this.policy.version, denied: this.denied } } : {};
  }
}
