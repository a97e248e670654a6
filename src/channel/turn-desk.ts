// The channel object's side of agent turns: it admits one running turn per conversation, in arrival order, hands
// the consumer what the turn needs, sends the turn's single reply, and closes the turn — after which the next
// turn of that conversation is put back on the Queue.
import { conversationHistory, getAgent, getMessage, getTurn, outboundForTurn, updateTurn } from "../db/turns";
import { turnJob } from "../queue/job";
import type { LocalStore } from "./local-store";
import { deliverReply, type DeliverOutcome } from "./replies";
import type { ChannelState } from "./state";

/** What the Queue consumer needs to run a turn, or why it should not. */
export type TurnStart =
  | { status: "done" | "deferred" | "busy" | "unknown" }
  | {
      status: "run";
      turn: { id: string; sender: string; inboundMessageId: string };
      channel: { id: string; handle: string; spaceId: string };
      agent: { id: string; handle: string; instructions: string; model: string | null };
      userText: string;
      history: { role: "user" | "assistant"; content: string }[];
      /** A reply composed by an earlier attempt that has not reached Twilio yet: send it, don't re-run the agent. */
      pendingReply: string | null;
      /** Epoch ms by which the turn must be over, every wait in it included: its lease ends soon after. */
      deadline: number;
    };

export class TurnDesk {
  readonly #delivering = new Map<string, Promise<DeliverOutcome>>();

  constructor(
    readonly state: ChannelState,
    readonly local: LocalStore,
  ) {}

  async begin(turnId: string, attempt: number, jobId: string | null): Promise<TurnStart> {
    const { state } = this;
    const decision = this.local.beginTurn(turnId, attempt, Date.now(), jobId);
    if (decision.status !== "run") return decision;
    const turn = await getTurn(state.db, turnId);
    const [agent, inbound] = turn ? await Promise.all([getAgent(state.db, turn.agentId), getMessage(state.db, turn.inboundMessageId)]) : [];
    if (!turn || !agent || !inbound) {
      await this.end(turnId, { status: "failed", error: "the turn, its agent or its message no longer exists" });
      return { status: "unknown" };
    }
    await updateTurn(state.db, turnId, { status: "running", attempts: attempt });
    const pending = await outboundForTurn(state.db, turnId);
    const row = state.row;
    return {
      status: "run",
      turn: { id: turn.id, sender: turn.sender, inboundMessageId: turn.inboundMessageId },
      channel: { id: row.id, handle: row.handle, spaceId: row.spaceId },
      agent: { id: agent.id, handle: agent.handle, instructions: agent.instructions, model: agent.model },
      userText: inbound.body,
      history: await conversationHistory(state.db, row.id, turn.sender, inbound.id),
      pendingReply: pending && !pending.twilioSid && pending.status !== "failed" ? pending.body : null,
      deadline: decision.deadline,
    };
  }

  /** Sends the turn's one SMS (at most one, whatever is retried) and closes the turn when that is settled. */
  deliver(turnId: string, body: string, info: { steps?: number; toolCalls?: string[] }): Promise<DeliverOutcome> {
    // Two deliveries of one job at once share the same send.
    let work = this.#delivering.get(turnId);
    if (!work) {
      work = this.#deliver(turnId, body, info).finally(() => this.#delivering.delete(turnId));
      this.#delivering.set(turnId, work);
    }
    return work;
  }

  async #deliver(turnId: string, body: string, info: { steps?: number; toolCalls?: string[] }): Promise<DeliverOutcome> {
    const { state } = this;
    const turn = await getTurn(state.db, turnId);
    if (!turn) return { status: "failed", messageId: null, reason: "turn not found" };
    if (!body.trim()) {
      await this.end(turnId, { status: "completed", error: "the agent produced no text, so no SMS was sent" });
      return { status: "failed", messageId: null, reason: "empty reply" };
    }
    const hook = state.webhookUrl();
    const outcome = await deliverReply({ db: state.db, local: this.local, channel: state.row, client: () => state.client(), statusCallbackUrl: hook && `${hook}/status` }, turn, body);
    const facts = { steps: info.steps ?? null, toolCalls: info.toolCalls ? JSON.stringify(info.toolCalls) : null };
    if (outcome.status === "sent") await this.end(turnId, { status: "completed", replyMessageId: outcome.messageId, ...facts });
    else if (outcome.status === "failed") await this.end(turnId, { status: "failed", error: outcome.reason, replyMessageId: outcome.messageId, ...facts });
    else await updateTurn(state.db, turnId, { error: outcome.reason });
    return outcome;
  }

  /** Records an agent error. `final` ends the turn as failed (and lets the conversation's next turn run). */
  async fail(turnId: string, error: string, final: boolean): Promise<void> {
    const turn = await getTurn(this.state.db, turnId);
    if (!turn || turn.status === "completed" || turn.status === "failed") return;
    const full = turn.error && !error.includes(turn.error) ? `${error} — last error: ${turn.error}` : error;
    if (final) await this.end(turnId, { status: "failed", error: full });
    else {
      await updateTurn(this.state.db, turnId, { status: "queued", error });
      this.release(turnId);
    }
  }

  /** The consumer asked the Queue to retry the turn: its lease is free for that retry (or the liveness check). */
  release(turnId: string) {
    this.local.releaseTurn(turnId, Date.now());
  }

  async end(turnId: string, patch: Parameters<typeof updateTurn>[2]) {
    await updateTurn(this.state.db, turnId, { ...patch, completedAt: Date.now() });
    const next = this.local.finishTurn(turnId, Date.now());
    if (next) await this.state.env.TURNS.send(turnJob(this.state.row.id, next));
  }
}
