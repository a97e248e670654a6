// Where an arriving signal goes, and where a new watch looks back. A channel's own watches and the hub's
// "any signal-mode channel" watches compete for each signal; the oldest fitting once-watch whose agent may receive
// it (`receive_signal` decided for that watch's agent, see signal-access.ts) wins, and a signal goes to one
// once-watch only. Continuous watches take nothing: every fitting one whose agent may receive the signal records
// it, here and in the hub. The channel object owns its signals and their facts, so the hub claims a recent one
// through it, and hands back one it claimed but could not use, for the next watch.
import { z } from "zod";
import { CATEGORIES, annotate, isContinuous, isJudged, signalMatches, type Annotation, type Signal, type SignalMedia, type WatchSpec } from "../domain/signals";
import type { WatchView } from "../signals/types";
import type { MessageRow } from "../db/schema";
import { SignalAccess, type PolicyInForce, type SignalFacts, type WatchDenial } from "./signal-access";
import type { ChannelState } from "./state";
import type { WatchDesk } from "./watch-desk";

/** The object that holds watches for "any signal-mode channel" (watches created without a channel_id). */
const SIGNAL_HUB = "signals:any";
export const hubStub = (env: Env) => env.CHANNEL.get(env.CHANNEL.idFromName(SIGNAL_HUB));

/** What a signal keeps of its annotation. */
type Annotated = Pick<Annotation, "code" | "codes" | "links" | "categories">;
const StoredAnnotation = z.object({ code: z.string().nullable(), codes: z.array(z.string()), links: z.array(z.string()), categories: z.array(z.enum(CATEGORIES)) });

export function signalOf(msg: Pick<MessageRow, "id" | "channelId" | "from" | "body" | "createdAt">, a: Annotated, media: SignalMedia[] = []): Signal {
  return { id: msg.id, channelId: msg.channelId, from: msg.from, body: msg.body, receivedAt: msg.createdAt, code: a.code, codes: a.codes, links: a.links, categories: a.categories, ...(media.length ? { media } : {}) };
}

/** The annotation stored with a message, or the message annotated again when it was stored before categories. */
function storedAnnotation(meta: string | null, body: string, from: string): Annotated {
  const stored = StoredAnnotation.safeParse(meta ? JSON.parse(meta).annotation : undefined);
  return stored.success ? stored.data : annotate({ body, from });
}

/** The hub's answer to an offer: the watch that took the signal, the ones that observed it, those passed over by policy. */
export type HubOffer = { watchId: string | null; observedBy?: string[]; denied: WatchDenial[] };
export type HubClaim = { status: "claimed"; signal: Signal } | { status: "taken" } | { status: "denied" };

export class SignalRouter {
  readonly #env: Env;
  readonly #desk: WatchDesk;
  readonly #state: ChannelState;

  constructor(env: Env, desk: WatchDesk, state: ChannelState) {
    this.#env = env;
    this.#desk = desk;
    this.#state = state;
  }

  /** Annotates and stores the message as a signal, and gives it to the oldest fitting allowed watch (here or the hub's). */
  async ingest(msg: MessageRow, offerToHub: boolean, media: SignalMedia[] = []): Promise<{ annotation: Annotation; watch_id: string | null; observed_by?: string[] }> {
    // The policy is loaded first: from storing the signal to choosing its watch, nothing else may run here.
    const policy = await this.#state.policy();
    const annotation = annotate({ body: msg.body, from: msg.from });
    const signal = signalOf(msg, annotation, media);
    const stored = this.#desk.store.addSignal(signal);
    // Handling redone after it stopped midway: the signal keeps the watch it already went to, never a second one.
    if (!stored.added && stored.consumedBy) return { annotation, watch_id: stored.consumedBy };
    const access = new SignalAccess(policy, this.#state.signalFacts(signal.from));
    const observed: string[] = [];
    const watchId = await this.#route(signal, offerToHub, access, observed);
    return { annotation, watch_id: watchId, ...(observed.length ? { observed_by: observed } : {}), ...access.record() };
  }

  /**
   * A free stored signal to the oldest fitting allowed once-watch: ours, or the hub's when that one is older; and
   * to every fitting allowed continuous watch, ours and the hub's (their ids are added to `observed`).
   */
  async #route(signal: Signal, offerToHub: boolean, access: SignalAccess, observed: string[] = []): Promise<string | null> {
    observed.push(...this.#desk.observeAll(signal, Date.now(), access.mayTake));
    this.#desk.queueJudgments(signal, Date.now(), access.mayTake);
    let local = this.#desk.candidate(signal, Date.now(), access.mayTake);
    if (offerToHub) {
      // Held while the hub decides, so a lookback running here meanwhile cannot take it too.
      const olderThan = local?.createdAt ?? Number.MAX_SAFE_INTEGER;
      const offered = await this.#desk.holding(signal.id, () => hubStub(this.#env).offerSignal(signal, olderThan, access.facts, access.policy.version));
      for (const d of offered.denied) access.deny(d);
      observed.push(...(offered.observedBy ?? []));
      if (offered.watchId) {
        this.#desk.store.consume(signal.id, offered.watchId);
        return offered.watchId;
      }
      // A policy saved while the hub decided was pushed here meanwhile: once its PUT has answered, no watch of
      // ours may take the signal by the version before it.
      access.adopt(await this.#state.policy());
      local = this.#desk.candidate(signal, Date.now(), access.mayTake);
    }
    return local && this.#desk.deliver(local.id, signal, Date.now()) ? local.id : null;
  }

  /** Hub side of ingest: take the signal if our oldest fitting allowed watch is older than the channel's own. */
  async offer(signal: Signal, olderThan: number, facts: SignalFacts, version: number): Promise<HubOffer> {
    // Never decided by an older policy than the channel's: a version it knows of is saved, so it is in D1.
    const access = new SignalAccess(await this.#state.policyAtLeast(version), facts);
    const now = Date.now();
    const observedBy = this.#desk.observeAll(signal, now, access.mayTake);
    // A hub watch with instructions claims the signal through its channel once the judge says it matches.
    this.#desk.queueJudgments(signal, now, access.mayTake);
    const candidate = this.#desk.candidate(signal, now, access.mayTake);
    if (!candidate || candidate.createdAt >= olderThan) return { watchId: null, observedBy, denied: access.denied };
    this.#desk.store.addSignal(signal);
    return { watchId: this.#desk.deliver(candidate.id, signal, now) ? candidate.id : null, observedBy, denied: access.denied };
  }

  /** The lookback of a new watch here, among the signals its agent may receive. */
  async lookback(watchId: string, now: number): Promise<WatchView> {
    const policy = await this.#state.policy();
    return this.#desk.lookback(watchId, now, (spec, s) => this.#allows(policy, spec, s));
  }

  /**
   * Channel side of a hub lookback: the signal, if it is free (or, for a continuous watch that only observes, if it
   * is stored at all) and the hub watch's agent may receive it.
   */
  async claim(signalId: string, watchId: string, agent: string | null, observe = false): Promise<HubClaim> {
    const policy = await this.#state.policy();
    return this.#desk.claim(signalId, watchId, (s) => this.#allows(policy, { id: watchId, agent }, s), observe);
  }

  /** Channel: a hub watch claimed the signal but settled before it could take it: route it again, as on arrival. */
  async release(signalId: string, watchId: string): Promise<string | null> {
    const policy = await this.#state.policy();
    const offerToHub = await this.#state.hubMayWait(Date.now());
    if (!this.#desk.store.release(signalId, watchId)) return null;
    const signal = this.#desk.store.freeSignal(signalId);
    if (!signal) return null;
    return this.#route(signal, offerToHub, new SignalAccess(policy, this.#state.signalFacts(signal.from)));
  }

  /**
   * A candidate the judge found to match: a continuous watch records it; a once-watch takes it if no watch has
   * meanwhile — from this channel's own signals, or (in the hub) claimed through the channel it arrived on. The
   * signal carries the judge's result, which the watch keeps with its match. True when the watch got it.
   */
  async matchJudged(spec: WatchSpec, signal: Signal): Promise<boolean> {
    if (isContinuous(spec)) return this.#desk.observe(spec.id, signal, Date.now());
    // A watch on one channel lives in that channel's object, which holds the signal (known whether or not the
    // object has loaded its channel since it started: the judge runs from the alarm).
    if (spec.channelId === signal.channelId) return this.#desk.deliver(spec.id, signal, Date.now());
    const channel = this.#env.CHANNEL.get(this.#env.CHANNEL.idFromName(signal.channelId));
    const claim = await channel.claimSignal(signal.channelId, signal.id, spec.id, spec.agent ?? null);
    if (claim.status !== "claimed") return false;
    this.#desk.store.addSignal(claim.signal);
    if (this.#desk.deliver(spec.id, { ...claim.signal, ...(signal.result === undefined ? {} : { result: signal.result }) }, Date.now())) return true;
    await channel.releaseSignal(signal.channelId, signal.id, spec.id);
    return false;
  }

  #allows(policy: PolicyInForce, watch: Pick<WatchSpec, "id" | "agent">, s: Signal): boolean {
    return new SignalAccess(policy, this.#state.signalFacts(s.from)).mayTake(watch);
  }

  /** Hub: tells every signal-mode channel that a hub watch may wait until `until`. */
  async announce(until: number): Promise<void> {
    const channels = await this.#env.DB.prepare(`SELECT id FROM channels WHERE dispatch_mode = 'signal'`).all<{ id: string }>();
    await Promise.allSettled(channels.results.map((c) => this.#env.CHANNEL.get(this.#env.CHANNEL.idFromName(c.id)).hubInterest(until)));
  }

  /** Hub lookback: recent signals on signal-mode channels, oldest first, claimed through their channel objects. */
  async hubLookback(watchId: string, now: number): Promise<WatchView> {
    const spec = this.#desk.store.waitingSpec(watchId);
    if (!spec || spec.lookbackS <= 0) return this.#desk.store.view(watchId)!;
    const observe = isContinuous(spec) || isJudged(spec);
    for await (const m of this.#recentSignals(now - spec.lookbackS * 1000, now)) {
      const row = { id: m.id, channelId: m.channel_id, from: m.from_address, body: m.body, createdAt: m.created_at };
      const signal = signalOf(row, storedAnnotation(m.meta, m.body, m.from_address));
      if (!signalMatches(spec, signal)) continue;
      const channel = this.#env.CHANNEL.get(this.#env.CHANNEL.idFromName(m.channel_id));
      const claim = await channel.claimSignal(m.channel_id, m.id, watchId, spec.agent ?? null, observe);
      if (claim.status !== "claimed") continue;
      if (isJudged(spec)) {
        // Judged in arrival order; a once-watch claims its match (if still free) when the judge has decided.
        if (isContinuous(spec) || !claim.signal.consumedBy) this.#desk.judging.add(watchId, claim.signal, Date.now());
        continue;
      }
      if (observe) {
        // Recorded in arrival order; a full (or ended) watch stops looking.
        this.#desk.observe(watchId, claim.signal, Date.now());
        if (!this.#desk.store.waitingSpec(watchId)) break;
        continue;
      }
      this.#desk.store.addSignal(claim.signal);
      if (this.#desk.deliver(watchId, claim.signal, Date.now())) break;
      // Claimed at the channel, but the watch settled meanwhile (cancelled, or an offer won): never drop it there.
      await channel.releaseSignal(m.channel_id, m.id, watchId);
      if (!this.#desk.store.waitingSpec(watchId)) break;
    }
    return this.#desk.store.view(watchId)!;
  }

  /**
   * Signals on signal-mode channels received in [from, to], oldest first, read a page at a time: anyone may text a
   * signal-mode number, so one page could be all strangers' texts with the code behind them.
   */
  async *#recentSignals(from: number, to: number) {
    let after = { at: from - 1, id: "" };
    for (;;) {
      const page = await this.#env.DB.prepare(
        `SELECT m.id, m.channel_id, m.from_address, m.body, m.meta, m.created_at FROM messages m JOIN channels c ON c.id = m.channel_id
         WHERE m.status = 'signal' AND c.dispatch_mode = 'signal' AND (m.created_at > ?1 OR (m.created_at = ?1 AND m.id > ?2)) AND m.created_at <= ?3
         ORDER BY m.created_at, m.id LIMIT ?4`,
      )
        .bind(after.at, after.id, to, LOOKBACK_PAGE)
        .all<{ id: string; channel_id: string; from_address: string; body: string; meta: string | null; created_at: number }>();
      yield* page.results;
      const last = page.results.at(-1);
      if (!last || page.results.length < LOOKBACK_PAGE) return;
      after = { at: last.created_at, id: last.id };
    }
  }
}

const LOOKBACK_PAGE = 200;
