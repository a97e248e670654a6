// Waiting on signal watches inside a Durable Object: matching arriving signals to the oldest waiting once-watch and
// to every continuous watch that observes them, the lookback for new watches, expiry on the object's alarm, and
// waking every kind of waiter the moment a watch settles or matches — long-polls parked on an in-memory promise,
// hibernated WebSockets tagged with the watch id, and (through the resume outbox) the SMS conversation a watch
// was started from.
import { isContinuous, isJudged, pickSignalForWatch, pickWatchForSignal, signalsForWatcher, watchersOfSignal, watchesToJudge, type Settlement, type Signal, type WatchParams, type WatchSpec } from "../domain/signals";
import { waitResult, type WatchStatus, type WatchView } from "../signals/types";
import type { ResumeOutbox } from "./resume-outbox";
import type { Schedule } from "./schedule";
import { JudgeQueue } from "./watch-judging";
import { signalView, type Conversation, type WatchStore } from "./watch-store";

export const MAX_WAIT_MS = 60_000;
export const watchTag = (id: string) => `watch:${id}`;
/** The schedule row that times out waiting watches: one row, at the earliest expiry. */
export const WATCH_EXPIRY = "watch_expiry";

export interface NewWatch {
  id: string;
  agentId: string;
  agentHandle: string;
  channelId: string | null;
  params: WatchParams;
  /** The conversation the watch resumes when it settles (watches an agent starts inside a turn). */
  conversation?: Conversation | null;
}

export class WatchDesk {
  readonly #ctx: DurableObjectState;
  readonly #store: WatchStore;
  readonly #schedule: Schedule;
  readonly #resumes: ResumeOutbox;
  /** Candidates of watches with instructions, waiting for the judge (watch-judging.ts). */
  readonly judging: JudgeQueue;
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Signals this object is offering to the hub right now: no lookback here may take them meanwhile. */
  readonly #held = new Set<string>();
  /** Watches whose creation call has not answered yet: a once-watch settled meanwhile answers that call instead. */
  readonly #creating = new Set<string>();
  /** Waiting watches, oldest first: read once from SQLite, then kept in step by create/settle. */
  #waiting: WatchSpec[] | null = null;

  /** Told about every watch created, matched or settled here (the channel's live events for the settings UI). */
  readonly #onChange: (watch: WatchView) => void;

  constructor(ctx: DurableObjectState, store: WatchStore, schedule: Schedule, resumes: ResumeOutbox, onChange: (watch: WatchView) => void = () => {}) {
    this.#ctx = ctx;
    this.#store = store;
    this.#schedule = schedule;
    this.#resumes = resumes;
    this.judging = new JudgeQueue(ctx.storage.sql, schedule);
    this.#onChange = onChange;
  }

  get store() {
    return this.#store;
  }

  /**
   * Runs a watch's creation (`make`: storing it, then its lookback). A once-watch that settles before `make` is done
   * (its lookback found the code) returns its result to the caller and resumes no conversation: the agent has it.
   */
  async creating<T>(id: string, make: () => Promise<T>): Promise<T> {
    this.#creating.add(id);
    try {
      return await make();
    } finally {
      this.#creating.delete(id);
    }
  }

  async create(w: NewWatch, now: number): Promise<WatchView> {
    this.#store.addWatch({ ...w, createdAt: now, expiresAt: now + w.params.timeoutS * 1000 });
    // The newest watch goes last in the oldest-first list, so the cache stays valid without a re-read.
    const spec = this.#store.waitingSpec(w.id);
    if (this.#waiting && spec) this.#waiting.push(spec);
    await this.#scheduleExpiry();
    const view = this.#store.view(w.id)!;
    this.#onChange(view);
    return view;
  }

  /**
   * The lookback: for a once-watch, a free signal from this object's recent ones that it takes at once; for a
   * continuous one, every recent signal it fits, recorded in order. Only signals `mayTake` admits for its agent.
   */
  lookback(watchId: string, now: number, mayTake: (spec: WatchSpec, s: Signal) => boolean): WatchView {
    const spec = this.#store.waitingSpec(watchId);
    if (spec && isJudged(spec)) {
      // Every recent candidate (a once-watch: every free one) goes to the judge, oldest first.
      const recent = signalsForWatcher(this.#store.signalsSince(now - spec.lookbackS * 1000), spec, (s) => mayTake(spec, s));
      for (const s of recent) if (isContinuous(spec) || (!s.consumedBy && !this.#held.has(s.id))) this.judging.add(watchId, s, now);
    } else if (spec && isContinuous(spec)) {
      for (const s of signalsForWatcher(this.#store.signalsSince(now - spec.lookbackS * 1000), spec, (s) => mayTake(spec, s))) {
        if (!this.observe(watchId, s, now)) break;
      }
    } else if (spec) {
      const free = this.#store.freeSignals(now - spec.lookbackS * 1000).filter((s) => !this.#held.has(s.id));
      const signal = pickSignalForWatch(free, spec, now, (s) => mayTake(spec, s));
      if (signal && this.#store.consume(signal.id, watchId)) this.settle(watchId, "matched", signal, now);
    }
    return this.#store.view(watchId)!;
  }

  /** The oldest waiting once-watch here that fits the signal and whose agent `mayTake` admits, if any (nothing is changed). */
  candidate(signal: Signal, now: number, mayTake: (w: WatchSpec) => boolean) {
    this.#waiting ??= this.#store.waiting();
    return pickWatchForSignal(this.#waiting, signal, now, mayTake);
  }

  /** Records the signal for every continuous watch here that fits it and whose agent `mayTake` admits. */
  observeAll(signal: Signal, now: number, mayTake: (w: WatchSpec) => boolean): string[] {
    this.#waiting ??= this.#store.waiting();
    return watchersOfSignal(this.#waiting, signal, now, mayTake)
      .filter((w) => this.observe(w.id, signal, now))
      .map((w) => w.id);
  }

  /** Queues the signal for the judge of every watch with instructions here that it is a candidate for. */
  queueJudgments(signal: Signal, now: number, mayTake: (w: WatchSpec) => boolean): string[] {
    this.#waiting ??= this.#store.waiting();
    const judged = watchesToJudge(this.#waiting, signal, now, mayTake);
    for (const w of judged) this.judging.add(w.id, signal, now);
    return judged.map((w) => w.id);
  }

  /**
   * A continuous watch's next match, once per signal: recorded, pushed to its waiters and, for a watch that resumes
   * a conversation, put in the outbox in the same step. The max_matches-th match completes the watch.
   */
  observe(watchId: string, signal: Signal, now: number): boolean {
    const b = this.#store.binding(watchId);
    if (!b || b.mode !== "continuous") return false;
    const recorded = this.#store.recordMatch(watchId, signal, b.maxMatches ?? Number.MAX_SAFE_INTEGER, now);
    if (!recorded) return false;
    if (b.conversation) {
      const settlement: Settlement = { watch_id: watchId, title: b.title, mode: "continuous", status: "matched", seq: recorded.seq, signal: signalView(signal), match_count: recorded.seq, ended: recorded.last };
      this.#resumes.add({ watchId, seq: recorded.seq, agentId: b.agentId, conversation: b.conversation, settlement, createdAt: now });
    }
    this.#push(watchId, { id: watchId, status: "matched", seq: recorded.seq, signal: signalView(signal) });
    if (recorded.last) this.settle(watchId, "completed", null, now);
    else this.#wake(watchId);
    return true;
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

  /**
   * A stored signal for another object's watch (the hub's lookback), unless it is taken, held, or not for it. A
   * continuous watch only observes: it gets the signal whoever took it, and takes nothing.
   */
  claim(signalId: string, watchId: string, mayTake: (s: Signal) => boolean, observe = false): { status: "claimed"; signal: Signal } | { status: "taken" } | { status: "denied" } {
    // Claimed again by the watch that has it (its object stopped before it could take it): it is still its own.
    const mine = this.#store.signal(signalId);
    if (!observe && mine?.consumedBy === watchId) return { status: "claimed", signal: mine };
    const stored = observe ? mine : this.#held.has(signalId) ? null : this.#store.freeSignal(signalId);
    if (!stored) return { status: "taken" };
    if (!mayTake(stored)) return { status: "denied" };
    if (observe) return { status: "claimed", signal: stored };
    const signal = this.#store.consume(signalId, watchId);
    return signal ? { status: "claimed", signal } : { status: "taken" };
  }

  /** Gives a stored signal to a once-watch of this object. False if either was taken meanwhile. */
  deliver(watchId: string, signal: Signal, now: number): boolean {
    if (!this.#store.consume(signal.id, watchId)) return false;
    if (!this.settle(watchId, "matched", signal, now)) {
      this.#store.release(signal.id, watchId);
      return false;
    }
    return true;
  }

  /** Ends a waiting watch; one that resumes a conversation puts its last step in the outbox in the same step. */
  settle(id: string, status: Exclude<WatchStatus, "waiting">, signal: Signal | null, now: number): boolean {
    if (!this.#store.settle(id, status, signal, now)) return false;
    if (this.#waiting) this.#waiting = this.#waiting.filter((w) => w.id !== id);
    const b = this.#store.binding(id);
    // A continuous watch's max_matches-th match already told its conversation that it was the last; a once-watch
    // settled while it was being created is answered to its creator.
    if (b?.conversation && status !== "completed" && !(b.mode === "once" && this.#creating.has(id))) {
      const continuous = b.mode === "continuous";
      const settlement: Settlement = {
        watch_id: id,
        title: b.title,
        mode: b.mode,
        status,
        seq: continuous ? b.matchCount + 1 : 1,
        ...(signal ? { signal: signalView(signal) } : {}),
        ...(continuous ? { match_count: b.matchCount } : {}),
        ended: true,
      };
      this.#resumes.add({ watchId: id, seq: settlement.seq, agentId: b.agentId, conversation: b.conversation, settlement, createdAt: now });
    }
    this.#notify(id);
    return true;
  }

  /** Long-poll: the watch now, or as soon as it settles (or, from `after`, records a match), or after `waitMs`. */
  async wait(id: string, waitMs: number, after?: number): Promise<WatchView | null> {
    const ready = (v: WatchView | null) => !v || v.status !== "waiting" || (v.mode === "continuous" && after !== undefined && v.match_count > after);
    const now = this.#store.view(id, after);
    if (ready(now) || waitMs <= 0) return now;
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
    return this.#store.view(id, after);
  }

  /**
   * Accepts a WebSocket for one watch and catches it up: a once-watch's state (its result, if settled); a continuous
   * watch's matches after `after`, then its state. Then every match and the end are pushed as they happen.
   */
  accept(id: string, ws: WebSocket, after = 0) {
    this.#ctx.acceptWebSocket(ws, [watchTag(id)]);
    const view = this.#store.view(id);
    if (!view) return;
    if (view.mode !== "continuous") return ws.send(JSON.stringify({ id, ...waitResult(view) }));
    for (let page = this.#store.matchesAfter(id, after); page.length; page = this.#store.matchesAfter(id, page.at(-1)!.seq)) {
      for (const m of page) ws.send(JSON.stringify({ id, status: "matched", seq: m.seq, signal: m.signal }));
    }
    ws.send(JSON.stringify({ id, status: view.status, match_count: view.match_count }));
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

  #wake(id: string) {
    for (const wake of [...(this.#waiters.get(id) ?? [])]) wake();
    const view = this.#store.view(id);
    if (view) this.#onChange(view);
    return view;
  }

  #notify(id: string) {
    const view = this.#wake(id);
    if (!view) return;
    this.#push(id, view.mode === "continuous" ? { id, status: view.status, match_count: view.match_count } : { id, ...waitResult(view) });
  }

  #push(id: string, frame: Record<string, unknown>) {
    const sockets = this.#ctx.getWebSockets(watchTag(id));
    if (!sockets.length) return;
    const data = JSON.stringify(frame);
    for (const ws of sockets) {
      try {
        ws.send(data);
      } catch {
        // closing socket
      }
    }
  }
}
