// The judge's record for each watch with instructions, in the holding object's SQLite: one row per candidate judged,
// with its outcome, why an unusable judgment counted as no match, and the result a match carried. The row is the
// judgment's durable copy: written the moment the answer is read, so a reset between judging and matching matches
// from it instead of asking the model again, and counted against the watch's max_evaluations.
import { MAX_MAX_EVALUATIONS } from "../domain/signals";
import { evaluationOf, type Evaluation, type Judgment } from "../domain/signals/judge";

type Row = { watch_id: string; signal_id: string; outcome: Judgment["outcome"]; reason: string | null; result: string | null; at: number };

export class EvaluationStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS watch_evaluations (watch_id TEXT NOT NULL, signal_id TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT, result TEXT, at INTEGER NOT NULL, PRIMARY KEY (watch_id, signal_id))`,
    );
  }

  /** Records a judgment once per (watch, candidate); false when one was already recorded (a re-run after a reset). */
  record(watchId: string, signalId: string, judgment: Judgment, now: number): boolean {
    const reason = judgment.outcome === "invalid" || judgment.outcome === "failed" ? judgment.reason : null;
    const result = judgment.outcome === "matched" && judgment.result !== undefined ? JSON.stringify(judgment.result) : null;
    const cursor = this.#sql.exec(
      `INSERT INTO watch_evaluations (watch_id, signal_id, outcome, reason, result, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      watchId,
      signalId,
      judgment.outcome,
      reason,
      result,
      now,
    );
    return cursor.rowsWritten > 0;
  }

  /** The judgment already recorded for this candidate, if any. */
  judgment(watchId: string, signalId: string): Judgment | null {
    const r = this.#sql.exec<Row>(`SELECT * FROM watch_evaluations WHERE watch_id = ? AND signal_id = ?`, watchId, signalId).toArray()[0];
    return r ? toJudgment(r) : null;
  }

  /** Adds why a judgment had no effect (a match another watch took first). */
  note(watchId: string, signalId: string, reason: string) {
    this.#sql.exec(`UPDATE watch_evaluations SET reason = ? WHERE watch_id = ? AND signal_id = ?`, reason, watchId, signalId);
  }

  count(watchId: string): number {
    return this.#sql.exec<{ n: number }>(`SELECT count(*) AS n FROM watch_evaluations WHERE watch_id = ?`, watchId).one().n;
  }

  /** The watch's evaluations in the order they were made (a watch makes at most MAX_MAX_EVALUATIONS). */
  list(watchId: string): Evaluation[] {
    return this.#sql
      .exec<Row>(`SELECT * FROM watch_evaluations WHERE watch_id = ? ORDER BY at, signal_id LIMIT ?`, watchId, MAX_MAX_EVALUATIONS)
      .toArray()
      .map((r) => ({ ...evaluationOf(r.signal_id, toJudgment(r), r.at), reason: r.reason }));
  }

  /** Forgets the evaluations of watches no longer stored (the storage sweep deleted them). */
  purgeOrphans() {
    this.#sql.exec(`DELETE FROM watch_evaluations WHERE watch_id NOT IN (SELECT id FROM watches)`);
  }
}

function toJudgment(r: Row): Judgment {
  switch (r.outcome) {
    case "matched":
      return r.result === null ? { outcome: "matched" } : { outcome: "matched", result: JSON.parse(r.result) };
    case "rejected":
      return { outcome: "rejected" };
    default:
      return { outcome: r.outcome, reason: r.reason ?? "" };
  }
}
