// The channel object's own SQLite: state that only this object reads and that must survive eviction, written
// synchronously so check-and-set steps cannot interleave with other requests.

export class LocalStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS pairing_tries (code TEXT NOT NULL, sender TEXT NOT NULL, wrong INTEGER NOT NULL, PRIMARY KEY (code, sender))`);
  }

  wrongTries(code: string, sender: string): number {
    const row = this.#sql.exec<{ wrong: number }>(`SELECT wrong FROM pairing_tries WHERE code = ? AND sender = ?`, code, sender).toArray()[0];
    return row?.wrong ?? 0;
  }

  recordWrongTry(code: string, sender: string): number {
    return this.#sql
      .exec<{ wrong: number }>(
        `INSERT INTO pairing_tries (code, sender, wrong) VALUES (?, ?, 1) ON CONFLICT (code, sender) DO UPDATE SET wrong = wrong + 1 RETURNING wrong`,
        code,
        sender,
      )
      .one().wrong;
  }

  clearTries() {
    this.#sql.exec(`DELETE FROM pairing_tries`);
  }
}
