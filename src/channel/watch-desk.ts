// Waiting on signal watches inside a Durable Object: matching arriving signals to the oldest waiting watch, the
// lookback for new watches, expiry on the object's alarm, and waking every kind of waiter the moment a watch
// settles — long-polls parked on an in-memory promise, and hibernated WebSockets tagged with the watch id.
import { pickSignalForWatch, pickWatchForSignal, type Signal, type WatchParams, type WatchSpec } from "../domain/signals";
import { waitResult, type WatchView } from "../signals/types";
import type { Schedule } from "./schedule";
import type { WatchStore } from "./watch-store";

export const MAX_WAIT_MS = 60_000;
export const watchTag = (id: string) => `watch:${id}`;
/** The schedule row that times out waiting watches: one row, at the earliest expiry. */
export const WATCH_EXPIRY = "watch_expiry";

export class WatchDesk {
  readonly #ctx: DurableObjectState;
  readonly #store: WatchStore;
  readonly #schedule: Schedule;
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Signals this object is offering to the hub right now: no lookback here may take them meanwhile. */
  readonly #held = new Set<string>();
  /** Waiting watches, oldest first: read once from SQLite, then kept in step by create/settle. */
  #waiting: WatchSpec[] | null = null;

  /** Told about every watch created or settled here (the channel's live events for the settings UI). */
  readonly #onChange: (watch: WatchView) => void;

  constructor(ctx: DurableObjectState, store: WatchStore, schedule: Schedule, onChange: (watch: WatchView) => void = () => {}) {
    this.#ctx = ctx;
    this.#store = store;
    this.#schedule = schedule;
    this.#onChange = onChange;
  }

  get store() {
    return this.#store;
  }

  async create(w: { id: string; agentId: string; agentHandle: string; channelId: string | null; params: WatchParams }, now: number): Promise<WatchView> {
    this.#store.addWatch({ ...w, createdAt: now, expiresAt: now + w.params.timeoutS * 1000 });
    // The newest watch goes last in the oldest-first list, so the cache stays valid without a re-read.
    const spec = this.#store.waitingSpec(w.id);
    if (this.#waiting && spec) this.#waiting.push(spec);
    await this.#scheduleExpiry();
    const view = this.#store.view(w.id)!;
    this.#onChange(view);
    return view;
  }

  /** The lookback: a free signal from this object's recent ones that the new watch should take at once, among
   * those `mayTake` admits for the watch's agent. */
  lookback(watchId: string, now: number, mayTake: (spec: WatchSpec, s: Signal) => boolean): WatchView {
    const spec = this.#store.waitingSpec(watchId);
    if (spec) {
      const free = this.#store.freeSignals(now - spec.lookbackS * 1000).filter((s) => !this.#held.has(s.id));
      const signal = pickSignalForWatch(free, spec, now, (s) => mayTake(spec, s));
      if (signal && this.#store.consume(signal.id, watchId)) this.settle(watchId, "matched", signal, now);
    }
    return this.#store.view(watchId)!;
  }

  /** The oldest waiting watch here that fits the signal and whose agent `mayTake` admits, if any (nothing is changed). */
  candidate(signal: Signal, now: number, mayTake: (w: WatchSpec) => boolean) {
    this.#waiting ??= this.#store.waiting();
    return pickWatchForSignal(this.#waiting, signal, now, mayTake);
  }

  /** Runs `offer` with the signal held back from lookbacks (in memory: the hold lasts one await, not a restart). */
  async holding<T>(signalId: string, offer: () => Promise<T>): Promise<T> {
    this.#held.add(signalId);
    try {
      return await offer();
    } finally {
      this.#held.delete(signalId);
    }
  }

  /** A stored signal for another object's watch (the hub's lookback), unless it is taken, held, or not for it. */
  claim(signalId: string, watchId: string, mayTake: (s: Signal) => boolean): { status: "claimed"; signal: Signal } | { status: "taken" } | { status: "denied" } {
    const free = this.#held.has(signalId) ? null : this.#store.freeSignal(signalId);
    if (!free) return { status: "taken" };
    if (!mayTake(free)) return { status: "denied" };
    const signal = this.#store.consume(signalId, watchId);
    return signal ? { status: "claimed", signal } : { status: "taken" };
  }

  /** Gives a stored signal to a watch of this object. False if either was taken meanwhile. */
  deliver(watchId: string, signal: Signal, now: number): boolean {
    if (!this.#store.consume(signal.id, watchId)) return false;
    if (!this.settle(watchId, "matched", signal, now)) {
      this.#store.release(signal.id, watchId);
      return false;
    }
    return true;
  }

  settle(id: string, status: "matched" | "timed_out" | "cancelled", signal: Signal | null, now: number): boolean {
    if (!this.#store.settle(id, status, signal, now)) return false;
    if (this.#waiting) this.#waiting = this.#waiting.filter((w) => w.id !== id);
    this.#notify(id);
    return true;
  }

  /** Long-poll: the watch now, or as soon as it settles, or after `waitMs`. */
  async wait(id: string, waitMs: number): Promise<WatchView | null> {
    const now = this.#store.view(id);
    if (!now || now.status !== "waiting" || waitMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const set = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.min(waitMs, MAX_WAIT_MS));
      set.add(done);
    });
    return this.#store.view(id);
  }

  /** Accepts a WebSocket for one watch; a settled watch's result is sent straight away (a reconnect catches up). */
  accept(id: string, ws: WebSocket) {
    this.#ctx.acceptWebSocket(ws, [watchTag(id)]);
    const view = this.#store.view(id);
    if (view) ws.send(JSON.stringify({ id, ...waitResult(view) }));
  }

  /** Times out due watches (on the object's schedule); answers when the next one expires, if any waits. */
  expire(now: number): number | null {
    for (const id of this.#store.due(now)) this.settle(id, "timed_out", null, now);
    return this.#store.nextExpiry();
  }

  async #scheduleExpiry() {
    const next = this.#store.nextExpiry();
    if (next !== null) await this.#schedule.schedule(WATCH_EXPIRY, "next", next);
  }

  #notify(id: string) {
    for (const wake of [...(this.#waiters.get(id) ?? [])]) wake();
    const view = this.#store.view(id);
    if (!view) return;
    this.#onChange(view);
    const sockets = this.#ctx.getWebSockets(watchTag(id));
    if (!sockets.length) return;
    const data = JSON.stringify({ id, ...waitResult(view) });
    for (const ws of sockets) {
      try {
        ws.send(data);
      } catch {
        // closing socket
      }
    }
  }
}
