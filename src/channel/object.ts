// The channel Durable Object: one per channel, the single writer of that channel's state. It serializes what must
// not race — registration, pairing, inbound handling, mode switches, turn order and signal waiters — and keeps the
// channel cached between requests. Its public methods are its RPC API; the work lives in the desks it composes.
import { DurableObject } from "cloudflare:workers";
import { judgeCandidate } from "../agent/judge";
import { createDb } from "../db/client";
import { noteSignalWatch } from "../db/messages";
import { getAgent } from "../db/turns";
import { markWatchSettled } from "../db/watches";
import { isContinuous, type Signal, type WatchSpec } from "../domain/signals";
import type { HealthReport } from "../domain/twilio/health";
import { clock } from "../lib/clock";
import { ok, type Result } from "../lib/result";
import type { WatchView } from "../signals/types";
import type { AttachOutcome, AttachRequest, TurnRun } from "./attachments";
import { channelStub } from "./client";
import { HealthDesk, registerHealth } from "./health";
import { InboundDesk, type InboundOutcome } from "./inbound";
import { Ledger } from "./ledger";
import { ChannelLifecycle, notFound, type ChannelPatch, type ChannelSetup } from "./lifecycle";
import { LiveEvents } from "./live-events";
import { TurnLiveness } from "./liveness";
import { LocalStore } from "./local-store";
import { channelMedia, type MediaDesk } from "./media-desk";
import { ReplyPages, type ReplyPage } from "./reply-pages";
import type { DeliverOutcome } from "./replies";
import { channelRemoved, RemovalFence, unlessRemoved, type ChannelRemovedOutcome } from "./removal";
import { ResumeInbox } from "./resume-inbox";
import { ResumeOutbox, type PendingStep, type ResumeAnswer, type ResumeDelivery } from "./resume-outbox";
import { Schedule } from "./schedule";
import { SenderLimit } from "./sender-limit";
import type { SignalFacts } from "./signal-access";
import { SignalRouter, type HubClaim, type HubOffer } from "./signal-router";
import { ChannelState, type SignedRequest } from "./state";
import { TurnDesk, type TurnStart } from "./turn-desk";
import { adoptWatchExpiry, registerUpkeep, scheduleSweep } from "./upkeep";
import type { ChannelView } from "./view";
import { WatchDesk, type NewWatch } from "./watch-desk";
import { WatchJudging } from "./watch-judging";
import { WatchStore } from "./watch-store";
import { WebhookDesk } from "./webhook-desk";

export type { InboundOutcome } from "./inbound";
export type { ChannelSetup } from "./lifecycle";
export type { SignedRequest } from "./state";
export type { TurnStart } from "./turn-desk";

export class ChannelObject extends DurableObject<Env> {
  readonly #state: ChannelState;
  readonly #local: LocalStore;
  readonly #watches: WatchDesk;
  readonly #router: SignalRouter;
  readonly #inbound: InboundDesk;
  readonly #turns: TurnDesk;
  readonly #schedule: Schedule;
  readonly #health: HealthDesk;
  readonly #pages: ReplyPages;
  readonly #media: MediaDesk;
  readonly #fence: RemovalFence;
  readonly #resumes: ResumeOutbox;
  readonly #resumed: ResumeInbox;
  readonly #events: LiveEvents;
  readonly #life: ChannelLifecycle;
  readonly #webhooks: WebhookDesk;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alive pings from the settings UI are answered by the runtime, without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.#local = new LocalStore(ctx.storage.sql);
    this.#fence = new RemovalFence(ctx.storage.sql);
    this.#schedule = new Schedule(ctx.storage, () => this.#fence.removed);
    // A watch's settlement goes to its conversation's object (this one, when the conversation is on this channel).
    this.#resumes = new ResumeOutbox(ctx.storage.sql, this.#schedule, (channelId, delivery) =>
      this.#state.current?.id === channelId ? this.resumeConversation(channelId, delivery) : channelStub(env, channelId).resumeConversation(channelId, delivery),
    );
    this.#watches = new WatchDesk(ctx, new WatchStore(ctx.storage.sql), this.#schedule, this.#resumes, (watch) => {
      if (this.#events.listening) this.#events.broadcast({ type: "watch", watch });
      // A settled watch stops counting against its agent's limit (one that expired stops by its expiry anyway).
      if (watch.status !== "waiting") ctx.waitUntil(markWatchSettled(env.DB, watch.id, Date.now()).catch(() => {}));
    });
    this.#state = new ChannelState(env, createDb(env.DB), this.#local);
    this.#events = new LiveEvents(ctx, this.#state);
    const liveness = new TurnLiveness(env, this.#local, this.#schedule);
    this.#router = new SignalRouter(env, this.#watches, this.#state);
    this.#media = channelMedia(ctx.storage.sql, this.#state, this.#schedule, this.#fence, (r) => void this.#events.message(r.message_id).catch(() => {}));
    const limits = new SenderLimit(ctx.storage.sql);
    this.#inbound = new InboundDesk(this.#state, this.#local, this.#watches, this.#router, liveness, limits, this.#media, this.#fence);
    const ledger = new Ledger(ctx.storage.sql);
    this.#pages = new ReplyPages(ctx.storage.sql);
    this.#resumed = new ResumeInbox(ctx.storage.sql, this.#state, this.#local, liveness, this.#fence, limits);
    this.#turns = new TurnDesk(this.#state, this.#local, ledger, this.#pages, this.#media, this.#fence, Date.now, (turnId) => this.#resumed.prompt(turnId));
    // Watches with instructions: each candidate is judged by the watching agent's model before it matches.
    const judging = new WatchJudging({
      queue: this.#watches.judging,
      store: this.#watches.store,
      schedule: this.#schedule,
      judge: async ({ agentId, task, candidate }) => {
        const agent = await getAgent(this.#state.db, agentId);
        return agent ? judgeCandidate(env, { model: agent.model, task, candidate }) : { outcome: "failed", reason: `agent ${agentId} no longer exists` };
      },
      match: (spec, signal) => this.#judgedMatch(spec, signal),
      removed: () => this.#fence.removed,
    });
    registerUpkeep({ env, schedule: this.#schedule, state: this.#state, local: this.#local, ledger, limits, pages: this.#pages, media: this.#media, watches: this.#watches, liveness, resumes: this.#resumes, resumed: this.#resumed });
    this.#health = new HealthDesk(ctx.storage.sql, this.#state);
    this.#health.onChanged = () => this.#events.channel();
    this.#life = new ChannelLifecycle({ env, storage: ctx.storage, state: this.#state, local: this.#local, health: this.#health, fence: this.#fence, watches: this.#watches, resumes: this.#resumes, media: this.#media, events: this.#events });
    this.#webhooks = new WebhookDesk({ state: this.#state, inbound: this.#inbound, turns: this.#turns, health: this.#health, fence: this.#fence, events: this.#events });
    registerHealth(this.#schedule, this.#state, this.#health);
    ctx.blockConcurrencyWhile(async () => {
      this.#fence.migrate();
      this.#local.migrate();
      ledger.migrate();
      limits.migrate();
      this.#pages.migrate();
      this.#media.store.migrate();
      this.#health.migrate();
      this.#watches.store.migrate();
      this.#watches.judging.migrate();
      this.#resumes.migrate();
      this.#resumed.migrate();
      this.#schedule.migrate();
      await adoptWatchExpiry(this.#schedule, this.#watches);
      await judging.restarted(Date.now());
      await this.#resumes.adoptPending(Date.now());
    });
  }

  // ── lifecycle (src/channel/lifecycle.ts) ────────────────────────────────────────────────────────────────────

  /** Creates the channel row (token sealed) and registers the number with Twilio. */
  async setup(input: ChannelSetup, handle: string): Promise<Result<ChannelView>> {
    return this.#life.setup(input, handle);
  }

  /** Runs the Twilio registration again (after a failure, or after credentials changed). */
  async connectTwilio(channelId: string): Promise<Result<ChannelView>> {
    return this.#life.connectTwilio(channelId);
  }

  /** The channel's health checks, run now unless a result is only seconds old. */
  async diagnostics(channelId: string): Promise<Result<HealthReport>> {
    if (!(await this.#state.load(channelId))) return notFound();
    return ok(await this.#health.report(clock.now()));
  }

  async get(channelId: string): Promise<Result<ChannelView>> {
    if (!(await this.#state.load(channelId))) return notFound();
    return ok(await this.#state.view());
  }

  /** Agent, dispatch mode and Twilio settings. New credentials, number or Messaging Service re-run the registration. */
  async update(channelId: string, patch: ChannelPatch): Promise<Result<ChannelView>> {
    return this.#life.update(channelId, patch);
  }

  async newPairing(channelId: string): Promise<Result<{ code: string; expires_at: string }>> {
    return this.#life.newPairing(channelId);
  }

  /** Forgets a paired phone; when it was the last, the channel goes back to pairing with a fresh code. */
  async unpair(channelId: string, address: string): Promise<Result<ChannelView>> {
    return this.#life.unpair(channelId, address);
  }

  /** Clears the SmsUrl we set (if it still points here) and marks the channel disconnected. */
  async disconnect(channelId: string) {
    return this.#life.disconnect(channelId);
  }

  /** Deletes the channel, its rows and this object's storage; work in flight ends as `channel_removed`. */
  async remove(channelId: string) {
    return this.#life.remove(channelId);
  }

  // ── webhooks (src/channel/webhook-desk.ts) ──────────────────────────────────────────────────────────────────

  /** An inbound SMS webhook: signature, then the strict form, then durable dedupe by MessageSid, persist, handle. */
  async receiveSms(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    return this.#webhooks.receiveSms(channelId, req);
  }

  /** A Twilio status callback for an outbound message. Signature and strict form checked like the SMS webhook. */
  async receiveStatus(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    return this.#webhooks.receiveStatus(channelId, req);
  }

  // ── agent turns (called by the Queue consumer) ────────────────────────────────────────────────────────────

  /** Claims a turn for a consumer, keeping each conversation's turns one at a time and in order. */
  async beginTurn(channelId: string, turnId: string, attempt: number, jobId: string | null = null): Promise<TurnStart> {
    if (this.#fence.removed) return channelRemoved;
    if (!(await this.#state.load(channelId))) return { status: "unknown" };
    return unlessRemoved(() => this.#turns.begin(turnId, attempt, jobId), channelRemoved);
  }

  /** Sends the turn's one SMS (at most one, whatever is retried) and closes the turn when that is settled. */
  async deliverReply(channelId: string, turnId: string, stepTexts: string[], info: { steps?: number; toolCalls?: string[] } = {}): Promise<DeliverOutcome | ChannelRemovedOutcome> {
    if (this.#fence.removed) return channelRemoved;
    if (!(await this.#state.load(channelId))) return { status: "failed", messageId: null, reason: "channel not found" };
    return unlessRemoved(async () => {
      const outcome = await this.#turns.deliver(turnId, stepTexts, info);
      if (outcome.status === "retry") this.#turns.release(turnId);
      else await this.#events.message(outcome.messageId);
      return outcome;
    }, channelRemoved);
  }

  /** attach_media: a picture or file for the turn's reply (refused, with the reason, once the reply is recorded). */
  async attachMedia(channelId: string, turnId: string, req: AttachRequest, run: TurnRun): Promise<AttachOutcome> {
    if (this.#fence.removed || !(await this.#state.load(channelId))) return { status: "refused", reason: "channel not found" };
    return unlessRemoved(() => this.#turns.attach(turnId, req, run), { status: "refused", reason: "the channel was deleted" } as const);
  }

  /**
   * The watches here that got this message as a signal — the once-watch that took it, the continuous watches that
   * recorded it — whose agents may fetch the message's media too. `channelId` null: the hub's watches.
   */
  async signalWatchers(channelId: string | null, messageId: string): Promise<string[]> {
    if (channelId && !(await this.#state.load(channelId))) return [];
    const took = this.#watches.store.consumer(messageId);
    return [...(took ? [took] : []), ...this.#watches.store.observers(messageId)];
  }

  /** The whole text of a reply that was cut, by its link's key; null when there is none (or it expired). */
  async replyPage(channelId: string, key: string): Promise<ReplyPage | null> {
    if (!(await this.#state.load(channelId))) return null;
    return this.#pages.get(key, Date.now());
  }

  /** Records an agent error. `final` ends the turn as failed (and lets the conversation's next turn run). */
  async failTurn(channelId: string, turnId: string, error: string, final: boolean): Promise<void> {
    if (this.#fence.removed || !(await this.#state.load(channelId))) return;
    await unlessRemoved(() => this.#turns.fail(turnId, error, final), channelRemoved);
  }

  // ── pushed facts (kept in memory so inbound handling need not ask D1) ─────────────────────────────────────

  /** A new policy version was saved. */
  async policyChanged(policy: { version: number; text: string }): Promise<void> {
    this.#state.policyChanged(policy);
  }

  /** A hub watch may wait until `until`: offer this channel's signals to the hub until then. */
  async hubInterest(until: number): Promise<void> {
    this.#state.hubInterest(until);
  }

  // ── signal watches ────────────────────────────────────────────────────────────────────────────────────────

  /** Creates a watch here (a channel's object, or the hub when channelId is null) and runs its lookback. */
  async createWatch(w: NewWatch): Promise<Result<WatchView>> {
    if (w.channelId && !(await this.#state.load(w.channelId))) return notFound();
    const now = Date.now();
    const view = await this.#watches.creating(w.id, async () => {
      await this.#watches.create(w, now);
      if (!w.channelId) await scheduleSweep(this.#schedule, now, null);
      if (w.channelId) return this.#router.lookback(w.id, now);
      // Tell the signal-mode channels first, so a code arriving from now on is offered here; then look back.
      await this.#router.announce(now + w.params.timeoutS * 1000);
      return this.#router.hubLookback(w.id, now);
    });
    if (w.channelId && view.signal) await this.#signalMoved(view.signal.message_id);
    return ok(view);
  }

  /** The watch now, or once it settles within `waitMs`; a continuous one from `after` (or once it matches after it). */
  async getWatch(id: string, waitMs = 0, after?: number): Promise<WatchView | null> {
    return this.#watches.wait(id, waitMs, after);
  }

  /** Cancels a waiting watch; one whose time has already run out (its alarm not yet fired) is timed out instead. */
  async cancelWatch(id: string): Promise<WatchView | null> {
    const now = Date.now();
    const spec = this.#watches.store.waitingSpec(id);
    this.#watches.settle(id, spec && spec.expiresAt <= now ? "timed_out" : "cancelled", null, now);
    return this.#watches.store.view(id);
  }

  /** The newest watches here; an agent's own only when `agentId` is given. */
  async listWatches(limit = 100, agentId?: string): Promise<WatchView[]> {
    return this.#watches.store.list(limit, agentId);
  }

  /** Hub: takes the signal for its oldest fitting allowed watch if that one is older than the channel's own candidate. */
  async offerSignal(signal: Signal, olderThan: number, facts: SignalFacts, policyVersion: number): Promise<HubOffer> {
    return this.#router.offer(signal, olderThan, facts, policyVersion);
  }

  /** Channel: hands a stored, still-free signal to a hub watch's lookback, if the watch's agent may receive it. */
  async claimSignal(channelId: string, signalId: string, watchId: string, agent: string | null, observe = false): Promise<HubClaim> {
    if (!(await this.#state.load(channelId))) return { status: "taken" };
    const claim = await this.#router.claim(signalId, watchId, agent, observe);
    // Observing takes nothing, so only a claim that took the signal changes its record.
    if (claim.status === "claimed" && !observe) await this.#signalMoved(signalId);
    return claim;
  }

  /** Channel: a hub watch could not take the signal it claimed; it goes to the next fitting watch, or stays free. */
  async releaseSignal(channelId: string, signalId: string, watchId: string): Promise<string | null> {
    if (!(await this.#state.load(channelId))) return null;
    const next = await this.#router.release(signalId, watchId);
    await this.#signalMoved(signalId);
    return next;
  }

  /**
   * A judged candidate matched; one this channel's own once-watch took is noted on its message record (the judge
   * runs from the alarm, so the channel may not be loaded yet). True when the watch got it.
   */
  async #judgedMatch(spec: WatchSpec, signal: Signal): Promise<boolean> {
    const took = await this.#router.matchJudged(spec, signal);
    if (took && !isContinuous(spec) && spec.channelId === signal.channelId && (await this.#state.load(signal.channelId))) await this.#signalMoved(signal.id);
    return took;
  }

  /** A stored signal went to a watch (or came back) after its message was recorded: the record says so now. */
  async #signalMoved(signalId: string) {
    const by = this.#watches.store.consumer(signalId);
    if (by === undefined) return;
    await this.#state.writes.write([noteSignalWatch(this.env.DB, this.#state.row.id, signalId, by)]);
    await this.#events.message(signalId);
  }

  // ── conversations resumed by signal watches ───────────────────────────────────────────────────────────────

  /** A watch's steps for a conversation on this channel: each taken once, answered by a continuation turn. */
  async resumeConversation(channelId: string, delivery: ResumeDelivery): Promise<ResumeAnswer> {
    const gone = { status: "gone", reason: "the channel was deleted" } as const;
    if (this.#fence.removed || !(await this.#state.load(channelId))) return gone;
    return unlessRemoved(async () => {
      this.#fence.check();
      const { answer, messageIds } = await this.#resumed.receive(delivery, Date.now);
      for (const id of messageIds) await this.#events.message(id);
      return answer;
    }, gone);
  }

  /** Hub: takes over steps a channel object could not deliver before its storage was deleted. */
  async adoptResumes(steps: PendingStep[]): Promise<void> {
    for (const step of steps) this.#resumes.add(step);
    await scheduleSweep(this.#schedule, Date.now(), null);
  }

  /** The one alarm: runs whatever timed work is due (watch expiry, turn liveness checks, the storage sweep). */
  override async alarm() {
    if (this.#fence.removed) return;
    await this.#schedule.run(Date.now());
  }

  // ── live events and watch sockets (WebSocket hibernation API) ─────────────────────────────────────────────

  /** WebSocket upgrades only: the settings UI's channel events, or one signal watch's waiter. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const url = new URL(request.url);
    const watch = /\/signals\/watches\/([^/]+)\/ws$/.exec(url.pathname);
    if (watch && !this.#watches.store.view(watch[1]!)) return new Response("unknown watch", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    // A continuous watch's socket catches up from ?after=SEQ (checked by the route).
    if (watch) this.#watches.accept(watch[1]!, server, Number(url.searchParams.get("after") ?? 0) || 0);
    else this.ctx.acceptWebSocket(server, ["events"]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Clients have nothing to say on these sockets ("ping" is answered by the runtime's auto-response). */
  override async webSocketMessage() {}

  override async webSocketClose(ws: WebSocket, code: number) {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }
}
