// The whole text of replies that were too long for one SMS, in the channel object's SQLite, each under the key
// its "Full reply" link names. A page is saved in the same synchronous step that records the reply in the ledger,
// so a link never goes out before its page exists; it expires with the message (RETENTION_DAYS).

export type ReplyPage = { text: string; created_at: number; expires_at: number };

export class ReplyPages {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS reply_pages (key TEXT PRIMARY KEY, turn_id TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS reply_pages_expires ON reply_pages (expires_at)`);
  }

  /** Keeps the first text saved under a key: the key is the turn's, and the turn's reply is fixed once recorded. */
  save(p: { key: string; turnId: string; text: string }, now: number, keepMs: number) {
    this.#sql.exec(`INSERT INTO reply_pages (key, turn_id, text, created_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`, p.key, p.turnId, p.text, now, now + keepMs);
  }

  get(key: string, now: number): ReplyPage | null {
    return this.#sql.exec<ReplyPage>(`SELECT text, created_at, expires_at FROM reply_pages WHERE key = ? AND expires_at > ?`, key, now).toArray()[0] ?? null;
  }

  sweep(now: number) {
    this.#sql.exec(`DELETE FROM reply_pages WHERE expires_at <= ?`, now);
  }
}
