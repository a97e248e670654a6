// The object's one alarm, shared by all of its timed work. A Durable Object has a single alarm, so each piece of
// timed work (a watch's expiry, a turn's liveness check, the storage sweep) is a row (kind, key, at) in the object's
// SQLite, and the alarm is always set to the earliest row. A handler that throws is retried with backoff, never lost.

/** What a handler asks for next: a time to run again, or null when its work is finished. */
export type ScheduleHandler = (key: string, payload: string | null, now: number) => Promise<number | null> | number | null;

/** The first retry of a failing handler comes after this long; each further one waits twice as long, up to RETRY_MAX_MS. */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 3600_000;
/** Rows run per alarm; the rest run on the next alarm, set at once, so one alarm never runs unbounded. */
const BATCH = 200;

type Row = { kind: string; key: string; at: number; payload: string | null; tries: number };

export class Schedule {
  readonly #sql: SqlStorage;
  readonly #storage: Pick<DurableObjectStorage, "setAlarm" | "deleteAlarm">;
  readonly #handlers = new Map<string, ScheduleHandler>();
  /** The alarm time this instance last set (null: none); after a restart the first change sets it again. */
  #armed: number | null | undefined;
  /** Rows whose handler is running, with what was asked of them meanwhile (a time, or "cancel"). */
  readonly #running = new Map<string, number | "cancel" | null>();

  /** True once the object's storage is going away (its channel is being deleted): nothing more runs or is written. */
  readonly #stopped: () => boolean;

  constructor(storage: DurableObjectStorage, stopped: () => boolean = () => false) {
    this.#sql = storage.sql;
    this.#storage = storage;
    this.#stopped = stopped;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS schedules (kind TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL, payload TEXT, tries INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, key))`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS schedules_at ON schedules (at)`);
  }

  /** Registers the handler that runs the rows of one kind. */
  on(kind: string, handler: ScheduleHandler) {
    this.#handlers.set(kind, handler);
  }

  /** Runs (kind, key) at `at`, or earlier if it is already due earlier. */
  async schedule(kind: string, key: string, at: number, payload: string | null = null): Promise<void> {
    const id = `${kind}\u0000${key}`;
    if (this.#running.has(id)) {
      const asked = this.#running.get(id);
      this.#running.set(id, typeof asked === "number" ? Math.min(asked, at) : at);
    }
    this.#sql.exec(
      `INSERT INTO schedules (kind, key, at, payload) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET at = min(at, excluded.at), payload = coalesce(excluded.payload, payload)`,
      kind,
      key,
      at,
      payload,
    );
    await this.#arm();
  }

  async cancel(kind: string, key: string): Promise<void> {
    const id = `${kind}\u0000${key}`;
    if (this.#running.has(id)) this.#running.set(id, "cancel");
    this.#sql.exec(`DELETE FROM schedules WHERE kind = ? AND key = ?`, kind, key);
    await this.#arm();
  }

  /** Runs every row of `kind` that waits past `now` at `now` instead: work a lease held in memory that a restart lost. */
  async runSoon(kind: string, now: number): Promise<void> {
    this.#sql.exec(`UPDATE schedules SET at = ? WHERE kind = ? AND at > ?`, now, kind, now);
    await this.#arm();
  }

  /** When (kind, key) is due next, or null. */
  when(kind: string, key: string): number | null {
    return this.#sql.exec<{ at: number }>(`SELECT at FROM schedules WHERE kind = ? AND key = ?`, kind, key).toArray()[0]?.at ?? null;
  }

  /** The alarm: runs every due row, one after another, then sets the alarm to the earliest row left. */
  async run(now: number): Promise<void> {
    const due = this.#sql.exec<Row>(`SELECT * FROM schedules WHERE at <= ? ORDER BY at LIMIT ?`, now, BATCH).toArray();
    for (const row of due) {
      if (this.#stopped()) return;
      await this.#runOne(row, now);
    }
    if (this.#stopped()) return;
    this.#armed = undefined;
    await this.#arm();
  }

  async #runOne(row: Row, now: number) {
    const id = `${row.kind}\u0000${row.key}`;
    // Claim the row first by moving it to its retry time: if the object dies inside the handler, the row runs again.
    const retryAt = now + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** row.tries);
    this.#sql.exec(`UPDATE schedules SET at = ?, tries = tries + 1 WHERE kind = ? AND key = ?`, retryAt, row.kind, row.key);
    const handler = this.#handlers.get(row.kind);
    if (!handler) {
      // A kind this version no longer knows (or not yet registered): nothing can run it, so it is dropped.
      console.error(`schedule: no handler for ${row.kind}; dropping ${row.key}`);
      this.#sql.exec(`DELETE FROM schedules WHERE kind = ? AND key = ?`, row.kind, row.key);
      return;
    }
    this.#running.set(id, null);
    let next: number | null;
    try {
      next = await handler(row.key, row.payload, now);
    } catch (err) {
      if (this.#stopped()) return;
      console.error(`schedule: ${row.kind} ${row.key} failed (try ${row.tries + 1}); retrying at ${new Date(retryAt).toISOString()}`, err);
      this.#running.delete(id);
      return;
    }
    const asked = this.#running.get(id);
    this.#running.delete(id);
    if (asked === "cancel" || this.#stopped()) return;
    const at = [next, asked].filter((t): t is number => typeof t === "number").reduce((a, b) => Math.min(a, b), Infinity);
    if (at === Infinity) this.#sql.exec(`DELETE FROM schedules WHERE kind = ? AND key = ?`, row.kind, row.key);
    else this.#sql.exec(`UPDATE schedules SET at = ?, tries = 0 WHERE kind = ? AND key = ?`, at, row.kind, row.key);
  }

  /** Points the alarm at the earliest row (or removes it), touching storage only when that time changed. */
  async #arm() {
    if (this.#running.size) return; // run() arms once it is done
    const next = this.#sql.exec<{ t: number | null }>(`SELECT min(at) AS t FROM schedules`).one().t;
    if (next === this.#armed) return;
    this.#armed = next;
    if (next === null) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(next);
  }
}
