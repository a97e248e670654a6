// The channel Durable Object: one per channel, the single writer of that channel's state. It serializes what must
// not race — registration, pairing, inbound handling (and, later, mode switches and signal waiters) — and keeps
// the channel row, decrypted token and paired addresses cached between requests. Public methods are its RPC API.
import { DurableObject } from "cloudflare:workers";
import { addPaired, getChannel, listPaired, removePaired, updateChannel, deleteChannelRows } from "../db/channels";
import { createDb, type Db } from "../db/client";
import { finishInbound, insertInbound, messageView } from "../db/messages";
import { conversationHistory, createTurn, getAgent, getMessage, getTurn, outboundForTurn, setOptOut, updateTurn } from "../db/turns";
import { matchKeyword } from "../domain/twilio/keywords";
import { turnJob } from "../queue/job";
import { applyStatus, deliverReply, type DeliverOutcome } from "./replies";
import { eq } from "drizzle-orm";
import { channels, messages as messagesTable, type ChannelRow, type MessageRow } from "../db/schema";
import { currentPolicy } from "../db/policies";
import { MAX_WRONG_TRIES, attemptPairing, newPairingCode } from "../domain/pairing/pairing";
import { describeDecision, getPolicyEngine } from "../domain/policy";
import { TwilioClient } from "../domain/twilio/rest";
import { registerNumber, type RegistrationError } from "../domain/twilio/registration";
import { parseForm, validateTwilioSignature } from "../domain/twilio/signature";
import { externalUrl, required, twilioApiBase } from "../lib/config";
import { newId, seal, unseal } from "../lib/crypto";
import { fail, ok, type Result } from "../lib/result";
import { LocalStore } from "./local-store";
import { WatchDesk } from "./watch-desk";
import { WatchStore } from "./watch-store";
import { annotate, signalMatches, type Annotation, type Signal, type WatchParams } from "../domain/signals";
import type { WatchView } from "../signals/types";
import { toChannelView, webhookUrl, type ChannelView } from "./view";

export interface ChannelSetup {
  id: string;
  spaceId: string;
  agentId: string;
  accountSid: string;
  authToken: string;
  fromNumber: string;
  dispatchMode: "message" | "signal";
}

export interface SignedRequest {
  /** The query string as received ("" or "?a=b"): Twilio signs the full URL it called. */
  query: string;
  signature: string | null;
  body: string;
}

export type InboundOutcome =
  | { status: "accepted"; messageId: string; disposition: string; duplicate: boolean }
  | { status: "unknown_channel" }
  | { status: "bad_signature" }
  | { status: "bad_request"; message: string };

const CODE_SHAPED = /^[A-Za-z0-9]{4,12}$/;

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
    };

/** The object that holds watches for "any signal-mode channel" (watches created without a channel_id). */
export const SIGNAL_HUB = "signals:any";
export const hubStub = (env: Env) => env.CHANNEL.get(env.CHANNEL.idFromName(SIGNAL_HUB));

export class ChannelObject extends DurableObject<Env> {
  readonly #db: Db;
  readonly #local: LocalStore;
  readonly #watches: WatchDesk;
  #row: ChannelRow | null | undefined;
  #authToken: string | undefined;
  #paired: Set<string> | undefined;
  #agent: { id: string; handle: string } | undefined;
  readonly #inflight = new Map<string, Promise<InboundOutcome>>();
  readonly #delivering = new Map<string, Promise<DeliverOutcome>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = createDb(env.DB);
    this.#local = new LocalStore(ctx.storage.sql);
    this.#watches = new WatchDesk(ctx, new WatchStore(ctx.storage.sql));
    ctx.blockConcurrencyWhile(async () => {
      this.#local.migrate();
      this.#watches.store.migrate();
    });
  }

  // ── live events (WebSocket hibernation API) ──────────────────────────────────────────────────────────────

  /** WebSocket upgrades only: the settings UI subscribes to this channel's live events. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const watch = /\/signals\/watches\/([^/]+)\/ws$/.exec(new URL(request.url).pathname);
    if (watch && !this.#watches.store.view(watch[1]!)) return new Response("unknown watch", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    if (watch) this.#watches.accept(watch[1]!, server);
    else this.ctx.acceptWebSocket(server, ["events"]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Watch expiry: wakes every waiter of a watch whose time ran out. */
  override async alarm() {
    await this.#watches.expire(Date.now());
  }

  // ── signal watches ────────────────────────────────────────────────────────────────────────────────────────

  /** Creates a watch here (a channel's object, or the hub when channelId is null) and runs its lookback. */
  async createWatch(w: { id: string; agentId: string; channelId: string | null; params: WatchParams }): Promise<Result<WatchView>> {
    if (w.channelId && !(await this.#load(w.channelId))) return this.#notFound();
    const now = Date.now();
    await this.#watches.create(w, now);
    if (w.channelId) return ok(this.#watches.lookback(w.id, now));
    return ok(await this.#hubLookback(w.id, now));
  }

  async getWatch(id: string, waitMs = 0): Promise<WatchView | null> {
    return this.#watches.wait(id, waitMs);
  }

  async cancelWatch(id: string): Promise<WatchView | null> {
    this.#watches.settle(id, "cancelled", null, Date.now());
    return this.#watches.store.view(id);
  }

  async listWatches(limit = 100): Promise<WatchView[]> {
    return this.#watches.store.list(limit);
  }

  /** Hub: takes the signal for its oldest fitting watch if that one is older than the channel's own candidate. */
  async offerSignal(signal: Signal, olderThan: number): Promise<string | null> {
    const now = Date.now();
    const candidate = this.#watches.candidate(signal, now);
    if (!candidate || candidate.createdAt >= olderThan) return null;
    this.#watches.store.addSignal(signal);
    return this.#watches.deliver(candidate.id, signal, now) ? candidate.id : null;
  }

  /** Channel: hands a stored, still-free signal to a hub watch's lookback. */
  async claimSignal(channelId: string, signalId: string, watchId: string): Promise<Signal | null> {
    if (!(await this.#load(channelId))) return null;
    return this.#watches.store.consume(signalId, watchId);
  }

  async #hubLookback(watchId: string, now: number): Promise<WatchView> {
    const spec = this.#watches.store.waiting().find((w) => w.id === watchId);
    if (!spec || spec.lookbackS <= 0) return this.#watches.store.view(watchId)!;
    const recent = await this.env.DB.prepare(
      `SELECT m.id, m.channel_id, m.from_address, m.body, m.meta, m.created_at FROM messages m JOIN channels c ON c.id = m.channel_id
       WHERE m.status = 'signal' AND c.dispatch_mode = 'signal' AND m.created_at >= ? AND m.created_at <= ? ORDER BY m.created_at, m.id LIMIT 200`,
    )
      .bind(now - spec.lookbackS * 1000, now)
      .all<{ id: string; channel_id: string; from_address: string; body: string; meta: string | null; created_at: number }>();
    for (const m of recent.results) {
      const a = (m.meta ? JSON.parse(m.meta).annotation : null) as Annotation | null;
      const signal: Signal = { id: m.id, channelId: m.channel_id, from: m.from_address, body: m.body, receivedAt: m.created_at, code: a?.code ?? null, codes: a?.codes ?? [], links: a?.links ?? [] };
      if (!signalMatches(spec, signal)) continue;
      const claimed = await this.env.CHANNEL.get(this.env.CHANNEL.idFromName(m.channel_id)).claimSignal(m.channel_id, m.id, watchId);
      if (!claimed) continue;
      this.#watches.store.addSignal(signal);
      if (this.#watches.deliver(watchId, signal, Date.now())) break;
    }
    return this.#watches.store.view(watchId)!;
  }

  /** Stores an arriving signal and gives it to the oldest fitting watch: this channel's own or the hub's. */
  async #ingestSignal(msg: MessageRow, a: Annotation, offerToHub: boolean): Promise<string | null> {
    const signal: Signal = { id: msg.id, channelId: msg.channelId, from: msg.from, body: msg.body, receivedAt: msg.createdAt, code: a.code, codes: a.codes, links: a.links };
    const store = this.#watches.store;
    store.addSignal(signal);
    let local = this.#watches.candidate(signal, Date.now());
    if (offerToHub) {
      // Held while the hub decides, so a lookback running meanwhile here cannot take it too.
      store.consume(signal.id, "hub:offering");
      let taken: string | null = null;
      try {
        taken = await hubStub(this.env).offerSignal(signal, local?.createdAt ?? Number.MAX_SAFE_INTEGER);
      } finally {
        store.release(signal.id, "hub:offering");
      }
      if (taken) {
        store.consume(signal.id, taken);
        return taken;
      }
      local = this.#watches.candidate(signal, Date.now());
    }
    return local && this.#watches.deliver(local.id, signal, Date.now()) ? local.id : null;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number) {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  #broadcast(event: Record<string, unknown>) {
    const sockets = this.ctx.getWebSockets("events");
    if (!sockets.length) return;
    const data = JSON.stringify(event);
    for (const ws of sockets) {
      try {
        ws.send(data);
      } catch {
        // a socket that is going away; its close handler cleans up
      }
    }
  }

  async #emitChannel() {
    if (this.#row && this.ctx.getWebSockets("events").length) this.#broadcast({ type: "channel", channel: await this.#view() });
  }

  async #emitMessage(id: string | null | undefined) {
    if (!id || !this.ctx.getWebSockets("events").length) return;
    const m = await getMessage(this.#db, id);
    if (m) this.#broadcast({ type: "message", message: messageView(m) });
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Creates the channel row (token sealed) and registers the number with Twilio. */
  async setup(input: ChannelSetup, handle: string): Promise<Result<ChannelView>> {
    const key = required(this.env, "ENCRYPTION_KEY");
    const now = Date.now();
    const row: ChannelRow = {
      id: input.id,
      spaceId: input.spaceId,
      agentId: input.agentId,
      provider: "twilio_sms",
      handle,
      dispatchMode: input.dispatchMode,
      status: "registering",
      errorCode: null,
      errorMessage: null,
      accountSid: input.accountSid,
      authTokenSealed: await seal(key, input.authToken, input.id),
      fromNumber: input.fromNumber,
      numberSid: null,
      pairingCode: null,
      pairingExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const inserted = await this.#db.insert(channels).values(row).onConflictDoNothing().returning().get();
    if (!inserted) return fail(409, "conflict", `handle ${handle} is taken`, { field: "handle" });
    this.#row = inserted;
    this.#authToken = input.authToken;
    this.#paired = new Set();
    await this.#register();
    await this.#emitChannel();
    return ok(await this.#view());
  }

  /** Runs the Twilio registration again (after a failure, or after credentials changed). */
  async connectTwilio(channelId: string): Promise<Result<ChannelView>> {
    if (!(await this.#load(channelId))) return this.#notFound();
    await this.#register();
    await this.#emitChannel();
    return ok(await this.#view());
  }

  async get(channelId: string): Promise<Result<ChannelView>> {
    if (!(await this.#load(channelId))) return this.#notFound();
    return ok(await this.#view());
  }

  async update(
    channelId: string,
    patch: { agentId?: string; dispatchMode?: "message" | "signal"; accountSid?: string; authToken?: string; fromNumber?: string },
  ): Promise<Result<ChannelView>> {
    const row = await this.#load(channelId);
    if (!row) return this.#notFound();
    const next: Partial<ChannelRow> = {};
    if (patch.agentId) next.agentId = patch.agentId;
    if (patch.dispatchMode) next.dispatchMode = patch.dispatchMode;
    const credentialsChanged =
      (patch.accountSid && patch.accountSid !== row.accountSid) || patch.authToken !== undefined || (patch.fromNumber && patch.fromNumber !== row.fromNumber);
    if (patch.accountSid) next.accountSid = patch.accountSid;
    if (patch.fromNumber) next.fromNumber = patch.fromNumber;
    if (patch.authToken !== undefined) next.authTokenSealed = await seal(required(this.env, "ENCRYPTION_KEY"), patch.authToken, channelId);
    if (Object.keys(next).length) this.#row = (await updateChannel(this.#db, channelId, next)) ?? null;
    if (patch.authToken !== undefined) this.#authToken = patch.authToken;
    if (credentialsChanged) await this.#register();
    await this.#emitChannel();
    return ok(await this.#view());
  }

  async newPairing(channelId: string): Promise<Result<{ code: string; expires_at: string }>> {
    const row = await this.#load(channelId);
    if (!row) return this.#notFound();
    if (row.status === "failed" || row.status === "registering") {
      return fail(409, "channel_not_ready", `The channel is ${row.status}; connect it to Twilio before pairing a phone.`);
    }
    const code = newPairingCode(Date.now());
    this.#local.clearTries();
    this.#row = (await updateChannel(this.#db, channelId, {
      pairingCode: code.code,
      pairingExpiresAt: code.expiresAt,
      status: row.status === "disconnected" ? (this.#paired!.size ? "connected" : "pairing") : row.status,
    }))!;
    await this.#emitChannel();
    return ok({ code: code.code, expires_at: new Date(code.expiresAt).toISOString() });
  }

  async unpair(channelId: string, address: string): Promise<Result<ChannelView>> {
    const row = await this.#load(channelId);
    if (!row) return this.#notFound();
    if (!(await removePaired(this.#db, channelId, address))) return fail(404, "not_found", `${address} is not a paired address of this channel`);
    this.#paired!.delete(address);
    if (this.#paired!.size === 0 && row.status === "connected") {
      const code = newPairingCode(Date.now());
      this.#row = (await updateChannel(this.#db, channelId, { status: "pairing", pairingCode: code.code, pairingExpiresAt: code.expiresAt }))!;
    }
    await this.#emitChannel();
    return ok(await this.#view());
  }

  /** Stops Twilio from sending to this deployment (clears the SmsUrl we set) and marks the channel disconnected. */
  async disconnect(channelId: string): Promise<Result<ChannelView>> {
    const row = await this.#load(channelId);
    if (!row) return this.#notFound();
    const cleared = await this.#clearSmsUrl();
    this.#row = (await updateChannel(this.#db, channelId, {
      status: "disconnected",
      pairingCode: null,
      pairingExpiresAt: null,
      errorCode: cleared ? null : "sms_url_not_cleared",
      errorMessage: cleared ? null : "Twilio could not be reached to clear the number's SMS URL; clear it in the Twilio console.",
    }))!;
    await this.#emitChannel();
    return ok(await this.#view());
  }

  /** Deletes the channel: clears the SmsUrl when it can, then removes its rows and this object's storage. */
  async remove(channelId: string): Promise<Result<{ sms_url_cleared: boolean }>> {
    if (!(await this.#load(channelId))) return this.#notFound();
    const cleared = await this.#clearSmsUrl();
    await deleteChannelRows(this.#db, channelId);
    await this.ctx.storage.deleteAll();
    this.#row = null;
    this.#paired = undefined;
    this.#authToken = undefined;
    return ok({ sms_url_cleared: cleared });
  }

  // ── inbound ───────────────────────────────────────────────────────────────────────────────────────────────

  /** An inbound SMS webhook: signature first, then durable dedupe by MessageSid, persist, and handle. */
  async receiveSms(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    const row = await this.#load(channelId);
    if (!row) return { status: "unknown_channel" };
    if (!(await this.#verify(req, ""))) return { status: "bad_signature" };
    const params = parseForm(req.body);
    const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : Array.isArray(params[k]) ? params[k]![0]! : undefined);
    const sid = one("MessageSid") ?? one("SmsSid");
    const from = one("From");
    if (!sid || !from) return { status: "bad_request", message: "MessageSid and From are required" };

    // Concurrent copies of one webhook share a single handling; later copies find the row processed.
    const running = this.#inflight.get(sid);
    if (running) return running.then((r) => (r.status === "accepted" ? { ...r, duplicate: true } : r));
    const handling = this.#handleInbound(row, { sid, from, to: one("To") ?? row.fromNumber, body: one("Body") ?? "", numMedia: Number(one("NumMedia") ?? 0) });
    this.#inflight.set(sid, handling);
    try {
      const outcome = await handling;
      if (outcome.status === "accepted" && !outcome.duplicate) {
        await this.#emitMessage(outcome.messageId);
        if (outcome.disposition === "pairing") await this.#emitChannel();
      }
      return outcome;
    } finally {
      this.#inflight.delete(sid);
    }
  }

  /** A Twilio status callback for an outbound message. Signature checked like the SMS webhook. */
  async receiveStatus(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    const row = await this.#load(channelId);
    if (!row) return { status: "unknown_channel" };
    if (!(await this.#verify(req, "/status"))) return { status: "bad_signature" };
    const params = parseForm(req.body);
    const sid = params.MessageSid ?? params.SmsSid;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (typeof sid !== "string" || typeof status !== "string") return { status: "bad_request", message: "MessageSid and MessageStatus are required" };
    const errorCode = typeof params.ErrorCode === "string" && params.ErrorCode ? params.ErrorCode : null;
    const updated = await applyStatus({ db: this.#db, local: this.#local, channel: row }, sid, status, errorCode);
    if (updated) this.#broadcast({ type: "message", message: messageView(updated) });
    return { status: "accepted", messageId: updated?.id ?? sid, disposition: updated ? updated.status : "held", duplicate: false };
  }

  // ── agent turns (called by the Queue consumer) ────────────────────────────────────────────────────────────

  /** Claims a turn for a consumer, keeping each conversation's turns one at a time and in order. */
  async beginTurn(channelId: string, turnId: string, attempt: number): Promise<TurnStart> {
    const row = await this.#load(channelId);
    if (!row) return { status: "unknown" };
    const decision = this.#local.beginTurn(turnId, attempt, Date.now());
    if (decision.status !== "run") return decision;
    const turn = await getTurn(this.#db, turnId);
    const [agent, inbound] = turn ? await Promise.all([getAgent(this.#db, turn.agentId), getMessage(this.#db, turn.inboundMessageId)]) : [];
    if (!turn || !agent || !inbound) {
      await this.#endTurn(turnId, { status: "failed", error: "the turn, its agent or its message no longer exists" });
      return { status: "unknown" };
    }
    await updateTurn(this.#db, turnId, { status: "running", attempts: attempt });
    const pending = await outboundForTurn(this.#db, turnId);
    return {
      status: "run",
      turn: { id: turn.id, sender: turn.sender, inboundMessageId: turn.inboundMessageId },
      channel: { id: row.id, handle: row.handle, spaceId: row.spaceId },
      agent: { id: agent.id, handle: agent.handle, instructions: agent.instructions, model: agent.model },
      userText: inbound.body,
      history: await conversationHistory(this.#db, row.id, turn.sender, inbound.id),
      pendingReply: pending && !pending.twilioSid && pending.status !== "failed" ? pending.body : null,
    };
  }

  /** Sends the turn's one SMS (at most one, whatever is retried) and closes the turn when that is settled. */
  async deliverReply(channelId: string, turnId: string, body: string, info: { steps?: number; toolCalls?: string[] } = {}): Promise<DeliverOutcome> {
    const row = await this.#load(channelId);
    if (!row) return { status: "failed", messageId: null, reason: "channel not found" };
    const running = this.#delivering.get(turnId);
    if (running) return running;
    const work = (async (): Promise<DeliverOutcome> => {
      const turn = await getTurn(this.#db, turnId);
      if (!turn) return { status: "failed", messageId: null, reason: "turn not found" };
      if (!body.trim()) {
        await this.#endTurn(turnId, { status: "completed", error: "the agent produced no text, so no SMS was sent" });
        return { status: "failed", messageId: null, reason: "empty reply" };
      }
      const ext = externalUrl(this.env);
      const hook = ext.ok ? webhookUrl(ext.url, row.id) : null;
      const outcome = await deliverReply(
        { db: this.#db, local: this.#local, channel: row, client: () => this.#client(), statusCallbackUrl: hook && `${hook}/status` },
        turn,
        body,
      );
      const facts = { steps: info.steps ?? null, toolCalls: info.toolCalls ? JSON.stringify(info.toolCalls) : null };
      if (outcome.status === "sent") await this.#endTurn(turnId, { status: "completed", replyMessageId: outcome.messageId, ...facts });
      else if (outcome.status === "failed") await this.#endTurn(turnId, { status: "failed", error: outcome.reason, replyMessageId: outcome.messageId, ...facts });
      else await updateTurn(this.#db, turnId, { error: outcome.reason });
      return outcome;
    })();
    this.#delivering.set(turnId, work);
    try {
      const outcome = await work;
      if (outcome.status !== "retry") await this.#emitMessage(outcome.messageId);
      return outcome;
    } finally {
      this.#delivering.delete(turnId);
    }
  }

  /** Records an agent error. `final` ends the turn as failed (and lets the conversation's next turn run). */
  async failTurn(channelId: string, turnId: string, error: string, final: boolean): Promise<void> {
    if (!(await this.#load(channelId))) return;
    const turn = await getTurn(this.#db, turnId);
    if (!turn || turn.status === "completed" || turn.status === "failed") return;
    const full = turn.error && !error.includes(turn.error) ? `${error} — last error: ${turn.error}` : error;
    if (final) await this.#endTurn(turnId, { status: "failed", error: full });
    else await updateTurn(this.#db, turnId, { status: "queued", error });
  }

  async #endTurn(turnId: string, patch: Parameters<typeof updateTurn>[2]) {
    await updateTurn(this.#db, turnId, { ...patch, completedAt: Date.now() });
    const next = this.#local.finishTurn(turnId, Date.now());
    if (next) await this.env.TURNS.send(turnJob(this.#row!.id, next));
  }

  async #handleInbound(row: ChannelRow, m: { sid: string; from: string; to: string; body: string; numMedia: number }): Promise<InboundOutcome> {
    const now = Date.now();
    const { row: msg, created } = await insertInbound(this.#db, {
      id: newId("msg"),
      channelId: row.id,
      twilioSid: m.sid,
      from: m.from,
      to: m.to,
      body: m.body,
      meta: m.numMedia ? { num_media: m.numMedia } : undefined,
      createdAt: now,
    });
    if (!created && msg.processedAt) return { status: "accepted", messageId: msg.id, disposition: msg.status, duplicate: true };
    const disposition = await this.#dispatch(msg);
    return { status: "accepted", messageId: msg.id, disposition, duplicate: !created };
  }

  /** Decides what an accepted inbound message does. Returns the message's final status. */
  async #dispatch(msg: MessageRow): Promise<string> {
    const row = this.#row!;
    const keyword = matchKeyword(msg.body);
    if (keyword) {
      // Twilio answers STOP/START/HELP itself; we remember opt-outs and run no turn.
      await setOptOut(this.#db, row.id, msg.from, keyword.keyword, keyword.kind === "help" ? null : keyword.kind === "opt_out");
      await finishInbound(this.#db, msg.id, { status: "keyword", meta: { keyword: keyword.keyword, kind: keyword.kind } });
      return "keyword";
    }
    const paired = this.#paired!.has(msg.from);
    let pairingDrop: { reason: string; meta?: Record<string, unknown> } | null = null;
    if (!paired) {
      const active = row.pairingCode && row.pairingExpiresAt ? { code: row.pairingCode, expiresAt: row.pairingExpiresAt } : null;
      const attempt = active && CODE_SHAPED.test(msg.body.trim()) ? attemptPairing(active, msg.body, this.#local.wrongTries(active.code, msg.from), Date.now()) : null;
      if (attempt?.status === "paired") {
        await addPaired(this.#db, row.id, msg.from, Date.now());
        this.#paired!.add(msg.from);
        this.#row = (await updateChannel(this.#db, row.id, { status: "connected", pairingCode: null, pairingExpiresAt: null, errorCode: null, errorMessage: null }))!;
        await finishInbound(this.#db, msg.id, { status: "pairing" });
        return "pairing";
      }
      if (attempt?.status === "wrong") {
        const tries = this.#local.recordWrongTry(active!.code, msg.from);
        pairingDrop = { reason: "pairing_code_wrong", meta: { tries_left: Math.max(0, MAX_WRONG_TRIES - tries) } };
      } else if (attempt?.status === "locked") pairingDrop = { reason: "pairing_locked" };
      else if (attempt?.status === "expired") pairingDrop = { reason: "pairing_code_expired" };
    }

    if (row.dispatchMode === "signal") return this.#signal(msg, paired, true);

    // Cedar decides who the agent receives: paired senders by default, plus what user policies permit or forbid.
    const query = await this.#policyQuery("receive_message", msg.from, paired);
    const decision = query.engine.decide(query.q);
    const policy = { decision: decision.decision, reasons: decision.reasons, explanation: describeDecision(decision, query.q), version: query.version };
    if (decision.decision === "allow" && !pairingDrop) return this.#accept(msg, policy);
    const reason = pairingDrop?.reason ?? (decision.reasons.length || decision.errors.length ? "policy_denied" : "not_paired");
    // Not for the agent, but it may still be the code a watch on this channel is waiting for.
    const fed = this.#watches.store.hasWaiting() ? await this.#feedWatches(msg, paired) : null;
    await finishInbound(this.#db, msg.id, { status: "dropped", dropReason: reason, meta: { ...pairingDrop?.meta, policy, ...fed } });
    return "dropped";
  }

  /** Signal mode: never a turn, never a reply; annotate and hand to the waiting watches. */
  async #signal(msg: MessageRow, paired: boolean, offerToHub: boolean): Promise<string> {
    const q = await this.#policyQuery("receive_signal", msg.from, paired);
    const d = q.engine.decide(q.q);
    if (d.decision === "deny") {
      const policy = { decision: d.decision, reasons: d.reasons, explanation: describeDecision(d, q.q), version: q.version };
      await finishInbound(this.#db, msg.id, { status: "dropped", dropReason: "policy_denied", meta: { policy } });
      return "dropped";
    }
    const annotation = annotate({ body: msg.body, from: msg.from });
    const watchId = await this.#ingestSignal(msg, annotation, offerToHub);
    await finishInbound(this.#db, msg.id, { status: "signal", meta: { annotation, watch_id: watchId } });
    return "signal";
  }

  async #feedWatches(msg: MessageRow, paired: boolean) {
    const q = await this.#policyQuery("receive_signal", msg.from, paired);
    if (q.engine.decide(q.q).decision === "deny") return null;
    const annotation = annotate({ body: msg.body, from: msg.from });
    return { annotation, watch_id: await this.#ingestSignal(msg, annotation, false) };
  }

  async #policyQuery(action: "receive_message" | "receive_signal", sender: string, paired: boolean) {
    const [policy, agent] = await Promise.all([currentPolicy(this.#db), this.#agentHandle()]);
    return {
      version: policy.version,
      engine: getPolicyEngine(policy.text, String(policy.version)),
      q: { agent, action, channel: this.#row!.handle, sender: { address: sender, paired }, pairedAddresses: [...this.#paired!] },
    };
  }

  async #agentHandle(): Promise<string> {
    const row = this.#row!;
    if (this.#agent?.id !== row.agentId) {
      const agent = await getAgent(this.#db, row.agentId);
      this.#agent = { id: row.agentId, handle: agent?.handle ?? row.agentId };
    }
    return this.#agent.handle;
  }

  /** A message the agent receives: in message mode on a connected channel it becomes a turn on the Queue. */
  async #accept(msg: MessageRow, policy?: Record<string, unknown>): Promise<string> {
    const row = this.#row!;
    // Turns run once the number is registered with Twilio (a permitted sender may write before any phone pairs).
    if (row.dispatchMode !== "message" || (row.status !== "connected" && row.status !== "pairing")) {
      await finishInbound(this.#db, msg.id, { status: "received", meta: { ...(policy ? { policy } : {}), note: `no turn: channel is ${row.status} in ${row.dispatchMode} mode` } });
      return "received";
    }
    // The turn id derives from the message, so a redelivered webhook re-creates nothing.
    const turnId = `turn_${msg.id.slice(4)}`;
    await createTurn(this.#db, { id: turnId, channelId: row.id, agentId: row.agentId, sender: msg.from, inboundMessageId: msg.id });
    this.#local.addTurn(turnId, msg.from);
    await this.env.TURNS.send(turnJob(row.id, turnId));
    await this.#db.update(messagesTable).set({ turnId }).where(eq(messagesTable.id, msg.id)).run();
    await finishInbound(this.#db, msg.id, { status: "received", ...(policy ? { meta: { policy } } : {}) });
    return "received";
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────

  async #load(channelId: string): Promise<ChannelRow | null> {
    if (this.#row === undefined || (this.#row && this.#row.id !== channelId)) {
      this.#row = (await getChannel(this.#db, channelId)) ?? null;
      this.#authToken = undefined;
      this.#paired = this.#row ? new Set((await listPaired(this.#db, channelId)).map((p) => p.address)) : undefined;
    }
    if (this.#row === null) {
      // Created after we last looked (setup runs in this object, but a test or migration may write directly).
      this.#row = (await getChannel(this.#db, channelId)) ?? null;
      if (this.#row) this.#paired = new Set((await listPaired(this.#db, channelId)).map((p) => p.address));
    }
    return this.#row;
  }

  async #token(): Promise<string> {
    if (this.#authToken === undefined) {
      this.#authToken = await unseal(required(this.env, "ENCRYPTION_KEY"), this.#row!.authTokenSealed, this.#row!.id);
    }
    return this.#authToken;
  }

  /** Checks X-Twilio-Signature against the URL we registered (SERVER_EXTERNAL_URL based), not the Host header. */
  async #verify(req: SignedRequest, suffix: "" | "/status"): Promise<boolean> {
    const ext = externalUrl(this.env);
    if (!ext.ok || !req.signature) return false;
    const url = webhookUrl(ext.url, this.#row!.id)! + suffix + req.query;
    return validateTwilioSignature(await this.#token(), req.signature, url, parseForm(req.body));
  }

  async #client(): Promise<TwilioClient> {
    return new TwilioClient({ baseUrl: twilioApiBase(this.env), accountSid: this.#row!.accountSid, authToken: await this.#token() });
  }

  async #register(): Promise<void> {
    const row = this.#row!;
    const ext = externalUrl(this.env);
    let result: { ok: true; numberSid: string } | { ok: false; error: RegistrationError };
    if (!ext.ok) result = { ok: false, error: { code: "invalid_external_url", message: ext.reason } };
    else result = await registerNumber(await this.#client(), { accountSid: row.accountSid, fromNumber: row.fromNumber, smsUrl: webhookUrl(ext.url, row.id)! });
    if (!result.ok) {
      this.#row = (await updateChannel(this.#db, row.id, { status: "failed", errorCode: result.error.code, errorMessage: result.error.message }))!;
      return;
    }
    const paired = this.#paired!.size > 0;
    const code = paired ? null : newPairingCode(Date.now());
    if (code) this.#local.clearTries();
    this.#row = (await updateChannel(this.#db, row.id, {
      status: paired ? "connected" : "pairing",
      numberSid: result.numberSid,
      errorCode: null,
      errorMessage: null,
      ...(code ? { pairingCode: code.code, pairingExpiresAt: code.expiresAt } : {}),
    }))!;
  }

  async #clearSmsUrl(): Promise<boolean> {
    const row = this.#row!;
    if (!row.numberSid) return true;
    try {
      const res = await (await this.#client()).updateIncomingNumber(row.numberSid, { SmsUrl: "" });
      return res.ok || (res.error.kind === "client" && res.error.status === 404);
    } catch {
      return false;
    }
  }

  async #view(): Promise<ChannelView> {
    const ext = externalUrl(this.env);
    return toChannelView(this.#row!, await listPaired(this.#db, this.#row!.id), ext.ok ? ext.url : null);
  }

  #notFound() {
    return fail(404, "not_found", "channel not found");
  }
}
