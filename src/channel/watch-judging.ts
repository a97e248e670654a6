// The judge step of watches with instructions. Their filters (channels, senders, categories, contains, regex, the
// window, receive_signal) only choose candidates; each candidate waits here, in the holding object's SQLite, until
// the judge has decided it, and only then is it matched — a continuous watch records it, a once-watch takes it if
// no other watch has meanwhile. Judging runs on the object's schedule, so a restart mid-judgment judges again
// instead of losing the candidate, and watches without instructions never wait for it.
import type { Signal, WatchSpec } from "../domain/signals";
import type { Schedule } from "./schedule";

export const WATCH_JUDGE = "watch_judge";
/** Candidates judged per run of one watch's row (the rest on the next run, at once). */
const BATCH = 10;

/** What the judge decides about one candidate; `result` is what the agent gets with the match. */
export type Judgment = { match: true; result?: unknown } | { match: false; reason: string };
/** Decides one candidate for one watch (its instructions, result schema and agent are on the spec). */
export type Judge = (watch: WatchSpec, signal: Signal) => Promise<Judgment>;
/** The judge until one is configured: a candidate that passed the filters is a match, as without instructions. */
export const filtersDecide: Judge = async () => ({ match: true });
/** The judge channel objects ask, behind one seam (tests set a scripted one, as lib/clock does for time). */
export const watchJudge: { decide: Judge } = { decide: filtersDecide };

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

  next(watchId: string, limit = BATCH): Signal[] {
    return this.#sql
      .exec<{ signal: string }>(`SELECT signal FROM judge_queue WHERE watch_id = ? ORDER BY queued_at, signal_id LIMIT ?`, watchId, limit)
      .toArray()
      .map((r) => JSON.parse(r.signal) as Signal);
  }

  done(watchId: string, signalId?: string) {
    if (signalId) this.#sql.exec(`DELETE FROM judge_queue WHERE watch_id = ? AND signal_id = ?`, watchId, signalId);
    else this.#sql.exec(`DELETE FROM judge_queue WHERE watch_id = ?`, watchId);
  }
}

export interface JudgingParts {
  queue: JudgeQueue;
  judge: Judge;
  /** The watch as the matcher sees it, while it waits (null once it has settled). */
  spec: (watchId: string) => WatchSpec | null;
  /** Matches a judged candidate: records it (continuous) or takes it if still free (once). */
  match: (spec: WatchSpec, signal: Signal, judgment: Judgment & { match: true }) => Promise<void>;
}

/** The schedule's handler for one watch: judges its candidates in arrival order until it is matched or they run out. */
export async function judgeCandidates(parts: JudgingParts, watchId: string): Promise<number | null> {
  for (const signal of parts.queue.next(watchId)) {
    const spec = parts.spec(watchId);
    if (!spec) {
      parts.queue.done(watchId);
      return null;
    }
    const judgment = await parts.judge(spec, signal);
    if (judgment.match) await parts.match(spec, signal, judgment);
    parts.queue.done(watchId, signal.id);
  }
  if (!parts.spec(watchId)) {
    parts.queue.done(watchId);
    return null;
  }
  return parts.queue.next(watchId, 1).length ? Date.now() : null;
}
