// How many agent turns one sender may start on a channel: MAX_TURNS_PER_SENDER_PER_HOUR in a rolling hour, so one
// phone (or someone spoofing it) cannot run the agent, and its bill, without end. Counted in the channel object's
// own SQLite, where the object is the single writer: the count survives restarts and evictions, and a MessageSid
// counts once however often Twilio delivers it. Rows older than the hour are swept on the object's schedule.

export const TURN_WINDOW_MS = 3600_000;

export type Admission = { admitted: true } | { admitted: false; started: number; limit: number };

export class SenderLimit {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS sender_turns (sid TEXT PRIMARY KEY, sender TEXT NOT NULL, at INTEGER NOT NULL)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS sender_turns_sender ON sender_turns (sender, at)`);
  }

  /**
   * Admits the turn of message `sid` unless `sender` already started `limit` turns in the hour before `now`. One
   * synchronous check-and-insert, so texts arriving together cannot both take the last place; a message admitted
   * once stays admitted (a redelivered webhook, or handling redone after a crash, is the same turn).
   */
  admit(sid: string, sender: string, now: number, limit: number): Admission {
    if (this.#sql.exec(`SELECT 1 FROM sender_turns WHERE sid = ?`, sid).toArray().length) return { admitted: true };
    const started = this.#sql.exec<{ n: number }>(`SELECT count(*) AS n FROM sender_turns WHERE sender = ? AND at > ?`, sender, now - TURN_WINDOW_MS).one().n;
    if (started >= limit) return { admitted: false, started, limit };
    this.#sql.exec(`INSERT INTO sender_turns (sid, sender, at) VALUES (?, ?, ?)`, sid, sender, now);
    return { admitted: true };
  }

  /** The storage sweep (on the object's schedule): turns older than the window no longer count. */
  sweep(now: number) {
    this.#sql.exec(`DELETE FROM sender_turns WHERE at <= ?`, now - TURN_WINDOW_MS);
  }
}
