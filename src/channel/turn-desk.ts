// The channel object's side of agent turns: it admits one running turn per conversation, in arrival order, hands
// the consumer what the turn needs, sends the turn's single reply, and closes the turn — after which the next
// turn of that conversation is put back on the Queue.
import type { MessageRow } from "../db/schema";
import { conversationHistory, copyOutbound, getAgent, getMessage, getTurn, isOptedOut, messageBySid, outboundForTurn, raiseLegacyStatus, sidsHeldElsewhere, updateTurn } from "../db/turns";
import { composeTurnBody, countSegments } from "../domain/sms";
import { externalUrl, maxReplySegments, required, retentionMs } from "../lib/config";
import { newId } from "../lib/crypto";
import { mediaLink } from "../lib/media-link";
import { replyPageKey, replyPageUrl } from "../lib/reply-link";
import { turnJob } from "../queue/job";
import type { Ledger, OutboxRow } from "./ledger";
import type { LocalStore } from "./local-store";
import type { AttachOutcome, AttachRequest, TurnRun } from "./attachments";
import type { MediaDesk } from "./media-desk";
import type { MediaRecord } from "./media-store";
import type { ChannelRemovedOutcome, RemovalFence } from "./removal";
import type { ReplyPages } from "./reply-pages";
import { deliverReply, type DeliverOutcome, type ReplyDeps } from "./replies";
import type { ChannelState } from "./state";

/** What the Queue consumer needs to run a turn, or why it should not. */
export type TurnStart =
  | { status: "done" | "deferred" | "busy" | "unknown" }
  | ChannelRemovedOutcome
  | {
      status: "run";
      turn: { id: string; sender: string; inboundMessageId: string };
      channel: { id: string; handle: string; spaceId: string };
      agent: { id: string; handle: string; instructions: string; model: string | null };
      userText: string;
      /** The message's media (an MMS), as stored when the turn began: the consumer reads the pictures from R2. */
      media: TurnMedia[];
      history: { role: "user" | "assistant"; content: string }[];
      /** A reply composed by an earlier attempt that has not reached Twilio yet: send it, don't re-run the agent. */
      pendingReply: string | null;
      /** Epoch ms by which the turn must be over, every wait in it included: its lease ends soon after. */
      deadline: number;
    };

export type TurnMedia = { id: string; content_type: string; size: number | null; status: string; reason: string | null; r2_key: string };

/**
 * How long a turn waits for its message's media that are still downloading (those due now; not ones waiting out a
 * retry's backoff). Downloads start the moment the webhook is answered, so this is seldom waited out.
 */
export const MEDIA_WAIT_MS = 15_000;

/** TWILIO_SEND_SETTLE_S: how long an unanswered send may still be processed by Twilio (default 15 s). */
function settleMs(env: Env): number {
  const s = Number(env.TWILIO_SEND_SETTLE_S ?? 15);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 15_000;
}

export class TurnDesk {
  readonly #delivering = new Map<string, Promise<DeliverOutcome>>();

  constructor(
    readonly state: ChannelState,
    readonly local: LocalStore,
    readonly ledger: Ledger,
    readonly pages: ReplyPages,
    readonly media: MediaDesk,
    /** Checked after every await before the next write: a channel deleted meanwhile gets nothing more written. */
    readonly fence: RemovalFence,
    readonly now: () => number = Date.now,
    /** A continuation turn's input (the settlements of the signal watch that resumed the conversation), else null. */
    readonly continuation: (turnId: string) => string | null = () => null,
  ) {}

  async begin(turnId: string, attempt: number, jobId: string | null): Promise<TurnStart> {
    const { state } = this;
    const decision = this.local.beginTurn(turnId, attempt, Date.now(), jobId);
    if (decision.status !== "run") return decision;
    const turn = await getTurn(state.db, turnId);
    const [agent, inbound] = turn ? await Promise.all([getAgent(state.db, turn.agentId), getMessage(state.db, turn.inboundMessageId)]) : [];
    this.fence.check();
    if (!turn || !agent || !inbound) {
      await this.end(turnId, { status: "failed", error: "the turn, its agent or its message no longer exists" });
      return { status: "unknown" };
    }
    await updateTurn(state.db, turnId, { status: "running", attempts: attempt });
    this.fence.check();
    // A reply the ledger already holds is this turn's one reply: deliver it, whatever state it is in.
    const pending = this.ledger.forTurn(turnId);
    // Otherwise the agent runs from the start, attaching afresh what it wants to send.
    if (!pending) await this.media.dropUnsent(turnId);
    this.fence.check();
    const media = pending || !this.media.store.ofMessage(inbound.id).length ? [] : await this.media.waitFor(inbound.id, MEDIA_WAIT_MS, this.fence);
    const row = state.row;
    return {
      status: "run",
      turn: { id: turn.id, sender: turn.sender, inboundMessageId: turn.inboundMessageId },
      channel: { id: row.id, handle: row.handle, spaceId: row.spaceId },
      agent: { id: agent.id, handle: agent.handle, instructions: agent.instructions, model: agent.model },
      userText: this.continuation(turnId) ?? inbound.body,
      media: media.map((m) => ({ id: m.id, content_type: m.content_type, size: m.size, status: m.status, reason: m.reason, r2_key: m.r2_key })),
      history: await conversationHistory(state.db, row.id, turn.sender, { id: turn.id, inboundMessageId: inbound.id }),
      pendingReply: pending?.body ?? null,
      deadline: decision.deadline,
    };
  }

  /**
   * Sends the turn's one SMS (at most one, whatever is retried) and closes the turn when that is settled. The body
   * is composed here from the agent's step texts, once: after the ledger holds it, every attempt sends that body.
   */
  deliver(turnId: string, stepTexts: string[], info: { steps?: number; toolCalls?: string[] }): Promise<DeliverOutcome> {
    // Two deliveries of one job at once share the same send.
    let work = this.#delivering.get(turnId);
    if (!work) {
      work = this.#deliver(turnId, stepTexts, info).finally(() => this.#delivering.delete(turnId));
      this.#delivering.set(turnId, work);
    }
    return work;
  }

  async #deliver(turnId: string, stepTexts: string[], info: { steps?: number; toolCalls?: string[] }): Promise<DeliverOutcome> {
    const { state } = this;
    const turn = await getTurn(state.db, turnId);
    this.fence.check();
    if (!turn) return { status: "failed", messageId: null, reason: "turn not found" };
    const existing = this.ledger.forTurn(turnId) ?? (await this.#legacyReply(turnId));
    const composed = existing ? null : await this.#compose(turnId, stepTexts);
    this.fence.check();
    const body = existing?.body ?? composed!.body;
    if (!body.trim() && !existing?.media_urls && !composed?.mediaUrls.length) {
      await this.end(turnId, { status: "completed", error: "the agent produced no text, so no SMS was sent" });
      return { status: "failed", messageId: null, reason: "empty reply" };
    }
    const deps = this.#replyDeps();
    const page = composed?.page;
    let attached: MediaRecord[] = [];
    // What must exist before the reply can go out is written in the step that records it.
    deps.recorded = (row) => {
      if (page) this.pages.save({ key: page.key, turnId, text: page.text }, this.now(), retentionMs(state.env));
      attached = this.media.assign(turnId, row.id);
    };
    const outcome = await deliverReply(deps, {
      id: existing?.id ?? newId("msg"),
      turnId,
      to: turn.sender,
      from: state.row.fromNumber,
      serviceSid: state.row.messagingServiceSid,
      body,
      mediaUrls: composed?.mediaUrls,
    });
    this.fence.check();
    await this.media.copyAll(attached);
    const facts = { steps: info.steps ?? null, toolCalls: info.toolCalls ? JSON.stringify(info.toolCalls) : null };
    if (outcome.status === "sent") await this.end(turnId, { status: "completed", replyMessageId: outcome.messageId, ...facts });
    else if (outcome.status === "failed") await this.end(turnId, { status: "failed", error: outcome.reason, replyMessageId: outcome.messageId, ...facts });
    else await updateTurn(state.db, turnId, { error: outcome.reason });
    return outcome;
  }

  /**
   * The SMS body for the agent's step texts. One that does not fit ends with a link to its full-reply page, whose
   * key derives from the turn: composed again after a crash, the body and its link come out the same.
   */
  async #compose(turnId: string, stepTexts: string[]): Promise<{ body: string; page: { key: string; text: string } | null; mediaUrls: string[] }> {
    const { env, row } = this.state;
    const ext = externalUrl(env);
    if (!ext.ok) return { body: composeTurnBody(stepTexts, { maxSegments: maxReplySegments(env) }).body, page: null, mediaUrls: [] };
    const secret = required(env, "ENCRYPTION_KEY");
    const key = await replyPageKey(secret, row.id, turnId);
    const composed = composeTurnBody(stepTexts, { maxSegments: maxReplySegments(env), link: replyPageUrl(ext.url, row.id, key) });
    // Twilio fetches an MMS's media by these signed links; made once, they are fixed in the ledger with the body.
    const mediaUrls = await Promise.all(this.media.store.ofTurn(turnId).map((m) => mediaLink(secret, ext.url, m.id, this.now())));
    return { body: composed.body, page: composed.full !== undefined ? { key, text: composed.full } : null, mediaUrls };
  }

  /**
   * attach_media: only from the run that holds the turn, and before its reply is recorded (after that the MMS is
   * fixed). A run whose consumer died can still reach the object after a newer run took the turn over and dropped
   * what it had attached; what it attaches then is refused, not slipped into the newer run's reply.
   */
  attach(turnId: string, req: AttachRequest, run: TurnRun): Promise<AttachOutcome> {
    const guard = () => {
      if (this.ledger.forTurn(turnId)) return "this turn's reply is already recorded; nothing more can be attached to it";
      const slot = this.local.slot(turnId);
      if (slot?.state !== "running") return "this turn is not running";
      return slot.holder === run.jobId && slot.attempt === run.attempt ? null : "this run of the turn was replaced by a newer one";
    };
    return this.media.attach(turnId, req, guard);
  }

  /**
   * A status callback for one of this channel's outbound messages: applied by rank in the ledger, then copied to
   * D1. A SID the ledger does not know yet is held there until a send or a reconciliation records it. Returns the
   * D1 row when something changed, null when held or ignored (an inbound message's SID changes nothing).
   */
  async applyStatus(sid: string, status: string, errorCode: string | null): Promise<MessageRow | null> {
    const db = this.state.db;
    const applied = this.ledger.applyStatus(sid, status, errorCode, this.now());
    if (applied.status === "applied") return applied.changed ? ((await this.#copy(applied.row)) ?? null) : null;
    // Replies sent before the ledger existed live only in D1; anything else (inbound, unknown) stays held, inert.
    const legacy = await messageBySid(db, this.state.row.id, sid);
    this.fence.check();
    if (legacy?.direction !== "outbound" || legacy.turnId === null || this.ledger.forTurn(legacy.turnId)) return null;
    return (await raiseLegacyStatus(db, legacy.id, status, errorCode)) ?? null;
  }

  /** A reply D1 holds for this turn but the ledger does not (written before the ledger existed): taken over. */
  async #legacyReply(turnId: string): Promise<OutboxRow | null> {
    const m = await outboundForTurn(this.state.db, turnId);
    this.fence.check();
    if (!m) return null;
    return this.ledger.adoptLegacy({ id: m.id, turnId, to: m.to, from: m.from, body: m.body, sid: m.twilioSid, status: m.status, errorCode: m.errorCode, createdAt: m.createdAt }, this.now());
  }

  #replyDeps(): ReplyDeps {
    const { state } = this;
    const hook = state.webhookUrl();
    return {
      ledger: this.ledger,
      twilio: () => state.client(),
      copy: (row) => this.#copy(row),
      optedOut: (address) => isOptedOut(state.db, state.row.id, address),
      heldElsewhere: (sids) => sidsHeldElsewhere(state.db, state.row.id, state.row.accountSid, sids),
      now: this.now,
      statusCallbackUrl: hook && `${hook}/status`,
      settleMs: settleMs(state.env),
      fence: () => this.fence.check(),
    };
  }

  /** The D1 copy of a ledger row, written from the ledger's current state (never moving a status down). */
  async #copy(row: OutboxRow): Promise<MessageRow | undefined> {
    // The D1 row names the channel: once the channel is being deleted it must not be written (or written again).
    this.fence.check();
    const current = this.ledger.forTurn(row.turn_id) ?? row;
    // An MMS is one message whatever its text: Twilio bills it as MMS, not by segments.
    const seg = current.media_urls ? { encoding: "MMS", segments: 1 } : countSegments(current.body);
    return copyOutbound(this.state.db, {
      id: current.id,
      channelId: this.state.row.id,
      turnId: current.turn_id,
      from: current.from_addr,
      to: current.to_addr,
      body: current.body,
      encoding: seg.encoding,
      segments: seg.segments,
      status: current.status,
      twilioSid: current.sid,
      errorCode: current.error_code,
      errorMessage: current.error_message,
      createdAt: current.created_at,
    });
  }

  /** Records an agent error. `final` ends the turn as failed (and lets the conversation's next turn run). */
  async fail(turnId: string, error: string, final: boolean): Promise<void> {
    const turn = await getTurn(this.state.db, turnId);
    this.fence.check();
    if (!turn || turn.status === "completed" || turn.status === "failed") return;
    const full = turn.error && !error.includes(turn.error) ? `${error} — last error: ${turn.error}` : error;
    if (final) await this.end(turnId, { status: "failed", error: full });
    else {
      await updateTurn(this.state.db, turnId, { status: "queued", error });
      this.fence.check();
      this.release(turnId);
    }
  }

  /** The consumer asked the Queue to retry the turn: its lease is free for that retry (or the liveness check). */
  release(turnId: string) {
    this.local.releaseTurn(turnId, Date.now());
  }

  async end(turnId: string, patch: Parameters<typeof updateTurn>[2]) {
    await updateTurn(this.state.db, turnId, { ...patch, completedAt: Date.now() });
    this.fence.check();
    const next = this.local.finishTurn(turnId, Date.now());
    if (next) await this.state.env.TURNS.send(turnJob(this.state.row.id, next));
  }
}
