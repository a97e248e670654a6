// Where an arriving signal goes, and where a new watch looks back. A channel's own watches and the hub's
// "any signal-mode channel" watches compete for each signal; the oldest fitting watch wins, and a signal goes
// to one watch only. The channel object owns its signals, so the hub claims a recent one through it.
import { annotate, signalMatches, type Annotation, type Signal } from "../domain/signals";
import type { WatchView } from "../signals/types";
import type { MessageRow } from "../db/schema";
import type { WatchDesk } from "./watch-desk";

/** The object that holds watches for "any signal-mode channel" (watches created without a channel_id). */
const SIGNAL_HUB = "signals:any";
export const hubStub = (env: Env) => env.CHANNEL.get(env.CHANNEL.idFromName(SIGNAL_HUB));

export function signalOf(msg: MessageRow, a: Annotation): Signal {
  return { id: msg.id, channelId: msg.channelId, from: msg.from, body: msg.body, receivedAt: msg.createdAt, code: a.code, codes: a.codes, links: a.links };
}

export class SignalRouter {
  readonly #env: Env;
  readonly #desk: WatchDesk;

  constructor(env: Env, desk: WatchDesk) {
    this.#env = env;
    this.#desk = desk;
  }

  /** Annotates and stores the message as a signal, and gives it to the oldest fitting watch (here or the hub's). */
  async ingest(msg: MessageRow, offerToHub: boolean): Promise<{ annotation: Annotation; watch_id: string | null }> {
    const annotation = annotate({ body: msg.body, from: msg.from });
    const signal = signalOf(msg, annotation);
    const store = this.#desk.store;
    const stored = store.addSignal(signal);
    // Handling redone after it stopped midway: the signal keeps the watch it already went to, never a second one.
    if (!stored.added && stored.consumedBy) return { annotation, watch_id: stored.consumedBy };
    let local = this.#desk.candidate(signal, Date.now());
    if (offerToHub) {
      // Held while the hub decides, so a lookback running here meanwhile cannot take it too.
      const olderThan = local?.createdAt ?? Number.MAX_SAFE_INTEGER;
      const taken = await this.#desk.holding(signal.id, () => hubStub(this.#env).offerSignal(signal, olderThan));
      if (taken) {
        store.consume(signal.id, taken);
        return { annotation, watch_id: taken };
      }
      local = this.#desk.candidate(signal, Date.now());
    }
    const watchId = local && this.#desk.deliver(local.id, signal, Date.now()) ? local.id : null;
    return { annotation, watch_id: watchId };
  }

  /** Hub side of ingest: take the signal if our oldest fitting watch is older than the channel's own. */
  offer(signal: Signal, olderThan: number): string | null {
    const now = Date.now();
    const candidate = this.#desk.candidate(signal, now);
    if (!candidate || candidate.createdAt >= olderThan) return null;
    this.#desk.store.addSignal(signal);
    return this.#desk.deliver(candidate.id, signal, now) ? candidate.id : null;
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
    const recent = await this.#env.DB.prepare(
      `SELECT m.id, m.channel_id, m.from_address, m.body, m.meta, m.created_at FROM messages m JOIN channels c ON c.id = m.channel_id
       WHERE m.status = 'signal' AND c.dispatch_mode = 'signal' AND m.created_at >= ? AND m.created_at <= ? ORDER BY m.created_at, m.id LIMIT 200`,
    )
      .bind(now - spec.lookbackS * 1000, now)
      .all<{ id: string; channel_id: string; from_address: string; body: string; meta: string | null; created_at: number }>();
    for (const m of recent.results) {
      const a = (m.meta ? JSON.parse(m.meta).annotation : null) as Annotation | null;
      const signal: Signal = { id: m.id, channelId: m.channel_id, from: m.from_address, body: m.body, receivedAt: m.created_at, code: a?.code ?? null, codes: a?.codes ?? [], links: a?.links ?? [] };
      if (!signalMatches(spec, signal)) continue;
      const claimed = await this.#env.CHANNEL.get(this.#env.CHANNEL.idFromName(m.channel_id)).claimSignal(m.channel_id, m.id, watchId);
      if (!claimed) continue;
      this.#desk.store.addSignal(signal);
      if (this.#desk.deliver(watchId, signal, Date.now())) break;
    }
    return this.#desk.store.view(watchId)!;
  }
}
