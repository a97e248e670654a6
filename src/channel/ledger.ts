// The outbound ledger: the channel object's own record of every reply it sends, in its SQLite, so "one SMS per
// turn" survives crashes, evictions and redeliveries. The intent is written before Twilio is called, the attempt
// is marked before the request leaves, and its outcome after; a row found still "sending" is ambiguous and must
// be reconciled against Twilio before anything is sent again. Status callbacks are applied here too, by rank
// (compare-and-set inside the one writer), and held when they name a SID the ledger has not learned yet.
// Every step is synchronous SQL: no other request can interleave with it. D1 gets a copy of each row.
import { advanceStatus } from "../domain/twilio/status";

/** pending: intent recorded, nothing sent · sending: an attempt began, outcome unknown · sent: SID known · failed. */
export type OutboxState = "pending" | "sending" | "sent" | "failed";

export type OutboxRow = {
  id: string;
  turn_id: string;
  to_addr: string;
  /** The channel's number; once Twilio answers, the sender it used (a service picks one from its Sender Pool). */
  from_addr: string;
  /** The Messaging Service the reply goes through (MG…), or null: sent From the number. Fixed at intent. */
  service_sid: string | null;
  body: string;
  /** JSON array of the MediaUrl values (an MMS), fixed with the body before the first send; null for an SMS. */
  media_urls: string | null;
  state: OutboxState;
  /** When the first attempt that may have reached Twilio began: reconciliation looks for messages from then on. */
  attempt_started_at: number | null;
  /** When the latest attempt began, and whether Twilio answered it with an HTTP status (1) or not (0: a timeout,
   * a reset or a crash — Twilio may still be working on it). */
  last_attempt_at: number | null;
  answered: number;
  attempts: number;
  sid: string | null;
  /** Twilio's status (queued, sent, delivered …), only ever moving up in rank. */
  status: string;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
};

export type StatusApplied = { status: "applied"; row: OutboxRow; changed: boolean } | { status: "held" };

/** Held callbacks for SIDs we never learn (an inbound SID, a stranger's) are dropped after this long. */
const HELD_KEEP_MS = 7 * 24 * 3600_000;

export class Ledger {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, turn_id TEXT NOT NULL UNIQUE, to_addr TEXT NOT NULL, from_addr TEXT NOT NULL, body TEXT NOT NULL,
        state TEXT NOT NULL, attempt_started_at INTEGER, last_attempt_at INTEGER, answered INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, sid TEXT UNIQUE, status TEXT NOT NULL,
        error_code TEXT, error_message TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS outbox_updated ON outbox (state, updated_at)`);
    // service_sid: added with Messaging Services; rows from before it were all sent From the number.
    const columns = new Set(this.#sql.exec<{ name: string }>(`PRAGMA table_info(outbox)`).toArray().map((c) => c.name));
    if (!columns.has("service_sid")) this.#sql.exec(`ALTER TABLE outbox ADD COLUMN service_sid TEXT`);
    // media_urls: added with MMS replies; rows from before it were all plain SMS.
    if (!columns.has("media_urls")) this.#sql.exec(`ALTER TABLE outbox ADD COLUMN media_urls TEXT`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS held_status (sid TEXT NOT NULL, status TEXT NOT NULL, error_code TEXT, at INTEGER NOT NULL)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS held_status_sid ON held_status (sid)`);
  }

  forTurn(turnId: string): OutboxRow | null {
    return this.#sql.exec<OutboxRow>(`SELECT * FROM outbox WHERE turn_id = ?`, turnId).toArray()[0] ?? null;
  }

  bySid(sid: string): OutboxRow | null {
    return this.#sql.exec<OutboxRow>(`SELECT * FROM outbox WHERE sid = ?`, sid).toArray()[0] ?? null;
  }

  /** Records the turn's reply (and its media, for an MMS) before anything is sent; a second call for the turn returns the first row. */
  record(m: { id: string; turnId: string; to: string; from: string; serviceSid?: string | null; body: string; mediaUrls?: string[] }, now: number): OutboxRow {
    this.#sql.exec(
      `INSERT INTO outbox (id, turn_id, to_addr, from_addr, service_sid, body, media_urls, state, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 'pending', ?, ?) ON CONFLICT (turn_id) DO NOTHING`,
      m.id,
      m.turnId,
      m.to,
      m.from,
      m.serviceSid ?? null,
      m.body,
      m.mediaUrls?.length ? JSON.stringify(m.mediaUrls) : null,
      now,
      now,
    );
    return this.forTurn(m.turnId)!;
  }

  /**
   * A reply written to D1 by a version without the ledger (a turn in flight across the upgrade). Without a SID it
   * may or may not have reached Twilio, so it comes in as "sending" from its creation time: reconciled first.
   */
  adoptLegacy(m: { id: string; turnId: string; to: string; from: string; body: string; sid: string | null; status: string; errorCode: string | null; createdAt: number }, now: number): OutboxRow {
    const state: OutboxState = m.sid ? "sent" : m.status === "failed" ? "failed" : "sending";
    this.#sql.exec(
      `INSERT INTO outbox (id, turn_id, to_addr, from_addr, body, state, attempt_started_at, attempts, sid, status, error_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (turn_id) DO NOTHING`,
      m.id,
      m.turnId,
      m.to,
      m.from,
      m.body,
      state,
      m.createdAt,
      state === "sending" ? 1 : 0,
      m.sid,
      m.status,
      m.errorCode,
      m.createdAt,
      now,
    );
    return this.forTurn(m.turnId)!;
  }

  /** The request to Twilio is about to leave: from now until its answer is recorded the row is ambiguous. */
  startAttempt(id: string, now: number): OutboxRow {
    return this.#sql
      .exec<OutboxRow>(
        `UPDATE outbox SET state = 'sending', attempts = attempts + 1, attempt_started_at = coalesce(attempt_started_at, ?), last_attempt_at = ?, answered = 0, updated_at = ? WHERE id = ? AND state IN ('pending', 'sending') RETURNING *`,
        now,
        now,
        now,
        id,
      )
      .one();
  }

  /** Whether another row already owns this SID (reconciliation never adopts one message for two turns). */
  sidTaken(sid: string, exceptId: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM outbox WHERE sid = ? AND id != ?`, sid, exceptId).toArray().length > 0;
  }

  /** Twilio has the message: record its SID, status and sender (`from`, when known), then every callback held for that SID. */
  recordSid(id: string, sid: string, twilioStatus: string, now: number, from?: string | null): OutboxRow {
    const row = this.#sql.exec<OutboxRow>(`SELECT * FROM outbox WHERE id = ?`, id).one();
    if (row.sid) return row;
    let status = advanceStatus(row.status, twilioStatus).status;
    let errorCode: string | null = null;
    for (const held of this.#sql.exec<{ status: string; error_code: string | null }>(`SELECT status, error_code FROM held_status WHERE sid = ? ORDER BY at`, sid).toArray()) {
      status = advanceStatus(status, held.status).status;
      errorCode = held.error_code ?? errorCode;
    }
    this.#sql.exec(`DELETE FROM held_status WHERE sid = ?`, sid);
    return this.#sql
      .exec<OutboxRow>(
        `UPDATE outbox SET state = 'sent', sid = ?, status = ?, error_code = ?, error_message = NULL, from_addr = coalesce(?, from_addr), updated_at = ? WHERE id = ? RETURNING *`,
        sid,
        status,
        errorCode,
        from || null,
        now,
        id,
      )
      .one();
  }

  /** A definite refusal (Twilio said no, or the recipient opted out): nothing was sent and nothing will be. */
  fail(id: string, code: string, message: string, now: number): OutboxRow {
    return this.#sql
      .exec<OutboxRow>(`UPDATE outbox SET state = 'failed', status = 'failed', error_code = ?, error_message = ?, updated_at = ? WHERE id = ? AND state != 'sent' RETURNING *`, code, message, now, id)
      .toArray()[0] ?? this.#sql.exec<OutboxRow>(`SELECT * FROM outbox WHERE id = ?`, id).one();
  }

  /** Why the last attempt did not settle (shown on the turn); `answered`: Twilio replied with an HTTP status. */
  noteError(id: string, message: string, now: number, answered?: boolean) {
    this.#sql.exec(`UPDATE outbox SET error_message = ?, answered = coalesce(?, answered), updated_at = ? WHERE id = ?`, message, answered === undefined ? null : Number(answered), now, id);
  }

  /** A status callback: applied by rank to the row with this SID, or held until a row learns the SID. */
  applyStatus(sid: string, status: string, errorCode: string | null, now: number): StatusApplied {
    const row = this.bySid(sid);
    if (!row) {
      this.#sql.exec(`INSERT INTO held_status (sid, status, error_code, at) VALUES (?, ?, ?, ?)`, sid, status, errorCode, now);
      return { status: "held" };
    }
    const next = advanceStatus(row.status, status);
    // A stale or repeated status changes nothing, its error code included.
    if (!next.changed) return { status: "applied", row, changed: false };
    const updated = this.#sql
      .exec<OutboxRow>(`UPDATE outbox SET status = ?, error_code = coalesce(?, error_code), updated_at = ? WHERE id = ? RETURNING *`, next.status, errorCode, now, row.id)
      .one();
    return { status: "applied", row: updated, changed: true };
  }

  /**
   * The storage sweep (on the object's schedule). Settled rows are kept for the retention period: late callbacks
   * still find them and their SIDs stay adopted. Rows still pending or sending are a live turn's and are kept.
   */
  sweep(now: number, keepMs: number) {
    this.#sql.exec(`DELETE FROM held_status WHERE at < ?`, now - Math.min(keepMs, HELD_KEEP_MS));
    this.#sql.exec(`DELETE FROM outbox WHERE state IN ('sent', 'failed') AND updated_at < ?`, now - keepMs);
  }
}

/** The MediaUrl values a row was recorded with (empty for an SMS). */
export function mediaUrlsOf(row: Pick<OutboxRow, "media_urls">): string[] {
  const parsed: unknown = row.media_urls ? JSON.parse(row.media_urls) : [];
  return Array.isArray(parsed) ? parsed.filter((u): u is string => typeof u === "string") : [];
}
