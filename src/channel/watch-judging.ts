// The judge step of watches with instructions. Their filters (channels, senders, categories, contains, regex, the
// window, receive_signal) only choose candidates; each candidate waits here, in the holding object's SQLite, until
// the judge has decided it, and only then is it matched — a continuous watch records it, a once-watch takes it if
// no other watch has meanwhile (a candidate is never held while it is judged, so nothing waits on a model call but
// the watch that asked for one). Watches without instructions never come here.
//
// Judging runs on the object's schedule without holding it: the handler starts one watch's next judgment and answers
// at once with a lease, so the alarm's other work (expiries, resumes, other watches' judgments) never waits on a
// model. The judgment, once read, is recorded (watch_evaluations) before anything is matched; a restart mid-call
// leaves the candidate queued and its row runs again (at once when the object starts, see `restarted`), and a
// restart after the record matches from it without asking the model twice.
import { isContinuous, type Signal, type WatchSpec } from "../domain/signals";
import { mayJudge, type Judgment, type JudgeTask } from "../domain/signals/judge";
import { JUDGE_TIMEOUT_MS } from "../agent/judge";
import type { Schedule } from "./schedule";
import type { WatchStore } from "./watch-store";

export const WATCH_JUDGE = "watch_judge";
/** How long a judgment holds its watch's row: the call's own limit and a margin; past it the row runs again. */
const LEASE_MS = JUDGE_TIMEOUT_MS + 10_000;
/** After an error around a judgment (storage, an RPC to claim the match), the row runs again this much later. */
const RETRY_MS = 5_000;

/** Decides one candidate for one watch, with the watch's agent's model. Never throws for a model's failure. */
export type Judge = (request: { agentId: string; task: JudgeTask; candidate: Signal }) => Promise<Judgment>;

export class JudgeQueue {
  readonly #sql: SqlStorage;
  readonly #schedule: Schedule;

  constructor(sql: SqlStorage, schedule: Schedule) {
    this.#sql = sql;
    this.#schedule = schedule;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS judge_queue (watch_id TEXT NOT NULL, signal_id TEXT NOT NULL, signal TEXT NOT NULL, queued_at INTEGER NOT NULL, PRIMARY KEY (watch_id, signal_id))`);
  }

  /** A candidate for the watch, once (synchronous up to the schedule's row). */
  add(watchId: string, signal: Signal, now: number) {
    this.#sql.exec(`INSERT INTO judge_queue (watch_id, signal_id, signal, queued_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, watchId, signal.id, JSON.stringify(signal), now);
    this.#schedule.schedule(WATCH_JUDGE, watchId, now).catch((err) => console.error(`could not schedule judging for ${watchId}`, err));
  }

  /** The watch's oldest candidate still to be decided. */
  next(watchId: string): Signal | null {
    const row = this.#sql.exec<{ signal: string }>(`SELECT signal FROM judge_queue WHERE watch_id = ? ORDER BY queued_at, signal_id LIMIT 1`, watchId).toArray()[0];
    return row ? (JSON.parse(row.signal) as Signal) : null;
  }

  done(watchId: string, signalId?: string) {
    if (signalId) this.#sql.exec(`DELETE FROM judge_queue WHERE watch_id = ? AND signal_id = ?`, watchId, signalId);
    else this.#sql.exec(`DELETE FROM judge_queue WHERE watch_id = ?`, watchId);
  }
}

export interface JudgingParts {
  queue: JudgeQueue;
  store: WatchStore;
  schedule: Schedule;
  judge: Judge;
  /** Matches a judged candidate: records it (continuous) or takes it if still free (once). True when it did. */
  match: (spec: WatchSpec, signal: Signal) => Promise<boolean>;
  /** The channel is being deleted: a judgment that comes back after that writes nothing. */
  removed?: () => boolean;
}

export class WatchJudging {
  readonly #parts: JudgingParts;
  /** Judgments in flight in this instance, by watch: one at a time per watch, in arrival order. */
  readonly #inflight = new Map<string, Promise<void>>();

  /** Registers the schedule's handler for judging rows. */
  constructor(parts: JudgingParts) {
    this.#parts = parts;
    parts.schedule.on(WATCH_JUDGE, (watchId, _payload, now) => this.run(watchId, now));
  }

  /** When the object starts, nothing is being judged: rows a lease still holds were cut short, and run at once. */
  restarted(now: number): Promise<void> {
    return this.#parts.schedule.runSoon(WATCH_JUDGE, now);
  }

  /** The schedule's handler for one watch: starts judging its next candidate and answers with the lease. */
  run(watchId: string, now: number): number | null {
    const { queue, store } = this.#parts;
    if (this.#inflight.has(watchId)) return now + LEASE_MS;
    const candidate = queue.next(watchId);
    if (!candidate) return null;
    const spec = store.waitingSpec(watchId);
    const job = store.judgeTask(watchId);
    if (!spec || !job) {
      queue.done(watchId);
      return null;
    }
    const recorded = store.evaluations.judgment(watchId, candidate.id);
    if (!recorded && !mayJudge(store.evaluations.count(watchId), job.maxEvaluations)) {
      // Its budget is spent: the watch judges nothing more and waits, unmatched, until it ends (its view says so).
      queue.done(watchId);
      return null;
    }
    const work = this.#decide(spec, job, candidate, recorded).finally(() => this.#inflight.delete(watchId));
    this.#inflight.set(watchId, work);
    return now + LEASE_MS;
  }

  async #decide(spec: WatchSpec, job: NonNullable<ReturnType<WatchStore["judgeTask"]>>, candidate: Signal, recorded: Judgment | null) {
    const { queue, store, schedule, judge, match, removed } = this.#parts;
    try {
      const judgment = recorded ?? (await judge({ agentId: job.agentId, task: job.task, candidate }));
      if (removed?.()) return;
      // The watch may have ended while the model thought: then there is nothing to record or match.
      if (!store.waitingSpec(spec.id)) return queue.done(spec.id);
      if (!recorded) store.evaluations.record(spec.id, candidate.id, judgment, Date.now());
      if (judgment.outcome === "matched") {
        const taken = await match(spec, judgment.result === undefined ? candidate : { ...candidate, result: judgment.result });
        if (removed?.()) return;
        if (!taken && !isContinuous(spec)) store.evaluations.note(spec.id, candidate.id, "another watch took this message while it was being judged");
      }
      queue.done(spec.id, candidate.id);
      if (queue.next(spec.id)) await schedule.schedule(WATCH_JUDGE, spec.id, Date.now());
      else await schedule.cancel(WATCH_JUDGE, spec.id);
    } catch (err) {
      console.error(`judging ${candidate.id} for watch ${spec.id} failed; trying again shortly`, err);
      await schedule.schedule(WATCH_JUDGE, spec.id, Date.now() + RETRY_MS).catch(() => {});
    }
  }
}
