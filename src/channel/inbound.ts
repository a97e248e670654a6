// What an accepted inbound SMS does, decided in order: opt-out keywords, pairing, then by dispatch mode — in
// signal mode it feeds the watches; in message mode Cedar decides whether the agent receives it, and a received
// message becomes an agent turn on the Queue. The MessageSid is recorded durably in the object first; the message
// is written to D1 once, with its outcome, before Twilio gets its answer — that row marks the handling as done.
// Its media (MMS) are recorded as pending with it and downloaded afterwards, on the object's schedule.
import { addPaired } from "../db/channels";
import { mediaCopy } from "../db/media";
import { recordInbound } from "../db/messages";
import { toD1 } from "../db/prebuilt";
import type { MessageRow } from "../db/schema";
import { createTurn, messageBySid, setOptOut } from "../db/turns";
import { MAX_WRONG_TRIES, attemptPairing } from "../domain/pairing/pairing";
import { describeDecision, type PolicyDecision } from "../domain/policy";
import type { SignalMedia } from "../domain/signals";
import { matchKeyword } from "../domain/twilio/keywords";
import { clock } from "../lib/clock";
import { maxTurnsPerSenderPerHour } from "../lib/config";
import { newId } from "../lib/crypto";
import { turnJob } from "../queue/job";
import type { TurnLiveness } from "./liveness";
import type { LocalStore } from "./local-store";
import type { RemovalFence } from "./removal";
import type { SenderLimit } from "./sender-limit";
import type { MediaDesk } from "./media-desk";
import { d1Copy } from "./media-store";
import type { SignalRouter } from "./signal-router";
import type { ChannelState } from "./state";
import type { WatchDesk } from "./watch-desk";

export type InboundOutcome =
  | { status: "accepted"; messageId: string; disposition: string; duplicate: boolean }
  | { status: "unknown_channel" }
  | { status: "bad_signature" }
  | { status: "invalid_webhook"; field: string; message: string }
  /** Handling stopped at a failed write (D1 unreachable, …): the MessageSid is recorded, so Twilio's retry redoes it. */
  | { status: "failed_midway" };

export interface InboundSms {
  sid: string;
  from: string;
  to: string;
  body: string;
  numMedia: number;
  media: { url: string; contentType: string }[];
}

/** Bodies that may be a pairing code; other texts from unknown senders are not counted as wrong tries. */
const CODE_SHAPED = /^[A-Za-z0-9]{4,12}$/;

type Drop = { reason: string; meta?: Record<string, unknown> };
/** How a message was handled: its final status, and the turn it starts, if any. */
type Outcome = { status: string; dropReason?: string; meta?: Record<string, unknown>; turnId?: string };

export class InboundDesk {
  constructor(
    readonly state: ChannelState,
    readonly local: LocalStore,
    readonly desk: WatchDesk,
    readonly router: SignalRouter,
    readonly liveness: TurnLiveness,
    readonly limit: SenderLimit,
    readonly media: MediaDesk,
    /** Checked after every await before the next write: a channel deleted meanwhile gets nothing more written. */
    readonly fence: RemovalFence,
  ) {}

  /** Handles a MessageSid once: a retried or concurrent copy finds it recorded (and, when done, does nothing). */
  async handle(m: InboundSms): Promise<InboundOutcome> {
    const { state, local } = this;
    const claim = local.claimInbound(m.sid, newId("msg"), Date.now());
    // A retry (copies arriving together already share one handling in the object). A handling that finished left
    // the enqueued mark when it started a turn, and otherwise its row in D1; if neither, it stopped midway: redo it.
    if (!claim.fresh && (claim.enqueued || (await this.#finishedWithoutTurn(m.sid)))) {
      return { status: "accepted", messageId: claim.messageId, disposition: "duplicate", duplicate: true };
    }
    const msg: MessageRow = {
      id: claim.messageId,
      channelId: state.row.id,
      direction: "inbound",
      from: m.from,
      to: m.to,
      body: m.body,
      status: "received",
      dropReason: null,
      twilioSid: m.sid,
      errorCode: null,
      errorMessage: null,
      encoding: null,
      segments: null,
      turnId: null,
      meta: null,
      processedAt: null,
      createdAt: claim.receivedAt,
      updatedAt: claim.receivedAt,
    };
    // Recorded before anything else can fail, and due for download at once: the turn may want to see the picture.
    const media = await this.media.receive(state.row.id, msg.id, m.media, claim.receivedAt);
    const outcome = await this.#dispatch(msg, media.map((r) => ({ id: r.id, content_type: r.content_type })));
    this.fence.check();
    const meta = { ...(m.numMedia ? { num_media: m.numMedia } : {}), ...outcome.meta };
    const record = recordInbound(state.env.DB, { ...msg, twilioSid: m.sid, status: outcome.status, dropReason: outcome.dropReason ?? null, turnId: outcome.turnId ?? null, meta });
    const copies = media.map((r) => mediaCopy(state.db, state.env.DB, d1Copy(state.row.id, r)));
    if (outcome.turnId) {
      // The message and its turn land together; the job goes on the Queue only once both exist.
      const turn = createTurn(state.db, { id: outcome.turnId, channelId: msg.channelId, agentId: state.row.agentId, sender: msg.from, inboundMessageId: msg.id });
      await state.writes.write([record, ...copies, toD1(state.env.DB, turn)]);
      this.fence.check();
      // The liveness check is scheduled before the job is sent: if the send is lost, the check sends it again.
      local.addTurn(outcome.turnId, msg.from, Date.now());
      await this.liveness.watch(msg.channelId, outcome.turnId, Date.now());
      this.fence.check();
      await state.env.TURNS.send(turnJob(msg.channelId, outcome.turnId));
      this.fence.check();
      local.markTurnEnqueued(m.sid, Date.now());
    } else {
      await state.writes.write([record, ...copies]);
    }
    return { status: "accepted", messageId: msg.id, disposition: outcome.status, duplicate: !claim.fresh };
  }

  async #finishedWithoutTurn(sid: string): Promise<boolean> {
    const row = await messageBySid(this.state.db, this.state.row.id, sid);
    return !!row?.processedAt && !row.turnId;
  }

  async #dispatch(msg: MessageRow, media: SignalMedia[]): Promise<Outcome> {
    const { state } = this;
    this.fence.check();
    const keyword = matchKeyword(msg.body);
    if (keyword) {
      // Twilio answers STOP/START/HELP itself; we remember opt-outs and run no turn.
      await setOptOut(state.db, state.row.id, msg.from, keyword.keyword, keyword.kind === "help" ? null : keyword.kind === "opt_out");
      return { status: "keyword", meta: { keyword: keyword.keyword, kind: keyword.kind } };
    }
    const paired = state.paired.has(msg.from);
    let pairingDrop: Drop | null = null;
    if (!paired) {
      const attempt = await this.#pairingAttempt(msg);
      if (attempt === "paired") return { status: "pairing" };
      pairingDrop = attempt;
    }
    if (state.row.dispatchMode === "signal") return this.#signal(msg, media);

    // Cedar decides who the agent receives: paired senders by default, plus what user policies permit or forbid.
    const { engine, q, version } = await state.policyQuery("receive_message", msg.from, paired);
    this.fence.check();
    const decision = engine.decide(q);
    const policy = policyFacts(decision, describeDecision(decision, q), version);
    const accepted = decision.decision === "allow" && !pairingDrop ? this.#accept(msg, policy) : null;
    if (accepted && !accepted.drop) return accepted;
    const dropReason = accepted?.drop?.reason ?? pairingDrop?.reason ?? (decision.reasons.length || decision.errors.length ? "policy_denied" : "not_paired");
    // Not for the agent, but it may still be the code a watch on this channel is waiting for.
    const fed = this.desk.store.hasWaiting() ? await this.router.ingest(msg, false, media) : null;
    this.fence.check();
    return { status: "dropped", dropReason, meta: { ...pairingDrop?.meta, ...accepted?.drop?.meta, policy, ...fed } };
  }

  /** "paired" when the body is the active code; otherwise why the message is dropped if no policy admits it. */
  async #pairingAttempt(msg: MessageRow): Promise<"paired" | Drop | null> {
    const { state, local } = this;
    const row = state.row;
    const active = row.pairingCode && row.pairingExpiresAt ? { code: row.pairingCode, expiresAt: row.pairingExpiresAt } : null;
    if (!active || !CODE_SHAPED.test(msg.body.trim())) return null;
    const attempt = attemptPairing(active, msg.body, local.wrongTries(active.code, msg.from), Date.now());
    switch (attempt.status) {
      case "paired":
        // Taken before the first await: of phones texting the code at once, one pairs and the rest are dropped.
        if (!local.takePairingCode(active.code, msg.from, Date.now())) return { reason: "pairing_code_used" };
        await addPaired(state.db, row.id, msg.from, Date.now());
        this.fence.check();
        state.paired.add(msg.from);
        await state.finishPairing(active.code);
        return "paired";
      case "wrong":
        return { reason: "pairing_code_wrong", meta: { tries_left: Math.max(0, MAX_WRONG_TRIES - local.recordWrongTry(active.code, msg.from)) } };
      case "locked":
        return { reason: "pairing_locked" };
      case "expired":
        return { reason: "pairing_code_expired" };
      default:
        return null;
    }
  }

  /**
   * Signal mode: never a turn, never a reply; annotate and hand to the waiting watches. Whether a watch may take it
   * is decided for that watch's agent (the channel's own agent is not asked): the message is a signal whoever is
   * denied, goes to the oldest fitting watch whose agent is allowed, or stays free for a later allowed lookback.
   */
  async #signal(msg: MessageRow, media: SignalMedia[]): Promise<Outcome> {
    // The hub is asked only while a watch on "any signal-mode channel" may be waiting.
    return { status: "signal", meta: await this.router.ingest(msg, await this.state.hubMayWait(Date.now()), media) };
  }

  /**
   * A message the agent receives: in message mode, once the number is registered, it becomes a turn — unless its
   * sender already started MAX_TURNS_PER_SENDER_PER_HOUR turns in the last hour (`drop`: it is stored as dropped).
   */
  #accept(msg: MessageRow, policy: Record<string, unknown>): Outcome & { drop?: Drop } {
    const row = this.state.row;
    // A permitted sender may write before any phone has paired, so "pairing" channels run turns too.
    if (row.status !== "connected" && row.status !== "pairing") return { status: "received", meta: { policy, note: `no turn: the channel is ${row.status}` } };
    const admission = this.limit.admit(msg.twilioSid ?? msg.id, msg.from, clock.now(), maxTurnsPerSenderPerHour(this.state.env));
    if (!admission.admitted) return { status: "dropped", drop: { reason: "rate_limited", meta: { limit: admission.limit, window_s: 3600 } } };
    // The turn id derives from the message, so a redone message re-creates nothing.
    return { status: "received", meta: { policy }, turnId: `turn_${msg.id.slice(4)}` };
  }
}

function policyFacts(d: PolicyDecision, explanation: string, version: number) {
  return { decision: d.decision, reasons: d.reasons, explanation, version };
}
