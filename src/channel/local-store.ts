// The channel object's own SQLite: state that only this object reads and that must survive eviction, written
// synchronously so check-and-set steps cannot interleave with other requests: the inbound MessageSid record
// (durable dedupe), pairing tries and the order of agent turns per conversation. (Outbound replies and their
// status callbacks are in the ledger, ledger.ts.)

export type TurnSlot = "queued" | "deferred" | "running" | "done";
export type BeginDecision =
  | { status: "run"; attempt: number; deadline: number }
  | { status: "done" }
  | { status: "deferred" }
  | { status: "busy" }
  | { status: "unknown" };
export type SlotRow = {
  turn_id: string;
  sender: string;
  seq: number;
  state: TurnSlot;
  attempt: number;
  lease_until: number | null;
  changed_at: number | null;
  holder: string | null;
};

/** The Queue consumer's wall-clock limit per message: a turn that runs longer is cut off by the platform. */
export const CONSUMER_LIMIT_MS = 15 * 60 * 1000;
/** How long a consumer holds a running turn; no other run of it starts meanwhile. Under the consumer's limit. */
export const TURN_LEASE_MS = 10 * 60 * 1000;
/** What a turn may spend, all its waits included: it ends a minute before its lease does, so no run overlaps it. */
export const TURN_BUDGET_MS = TURN_LEASE_MS - 60_000;
/** How long a MessageSid is remembered (at most: RETENTION_DAYS may be shorter). */
const INBOX_KEEP_MS = 7 * 24 * 3600_000;
/** A closed turn's slot answers a late redelivery of its job ("done"); the Queue gives up within hours. */
const DONE_SLOT_KEEP_MS = 24 * 3600_000;

export class LocalStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS pairing_taken (code TEXT PRIMARY KEY, sender TEXT NOT NULL, taken_at INTEGER NOT NULL)`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS pairing_tries (code TEXT NOT NULL, sender TEXT NOT NULL, wrong INTEGER NOT NULL, PRIMARY KEY (code, sender))`);
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS turn_slots (turn_id TEXT PRIMARY KEY, sender TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, lease_until INTEGER, done_at INTEGER)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS turn_slots_sender ON turn_slots (sender, seq)`);
    // changed_at: when the slot last changed state, so a turn waiting too long for its job can be told apart.
    // holder: the Queue message holding the lease, so only that job's own redelivery may take a held turn over.
    const columns = new Set(this.#sql.exec<{ name: string }>(`PRAGMA table_info(turn_slots)`).toArray().map((c) => c.name));
    for (const [name, type] of [["changed_at", "INTEGER"], ["holder", "TEXT"]]) {
      if (!columns.has(name!)) this.#sql.exec(`ALTER TABLE turn_slots ADD COLUMN ${name} ${type}`);
    }
    // processed_at: set once the message's turn is on the Queue (messages without a turn are done once in D1).
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS inbox (sid TEXT PRIMARY KEY, message_id TEXT NOT NULL, received_at INTEGER NOT NULL, processed_at INTEGER)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS inbox_received ON inbox (received_at)`);
  }

  // ── inbound dedupe: the first durable record of a MessageSid, before anything else happens ──

  /**
   * Records the MessageSid (once) with the message id it is given. A copy that is not `fresh` is a retry or a
   * duplicate. `enqueued`: the message's agent turn went on the Queue, the last step of handling one. Messages
   * without a turn are done when their row is in D1 (written last, with the outcome), so they need no mark here.
   */
  claimInbound(sid: string, messageId: string, now: number): { messageId: string; receivedAt: number; fresh: boolean; enqueued: boolean } {
    const inserted = this.#sql.exec(`INSERT INTO inbox (sid, message_id, received_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO NOTHING RETURNING sid`, sid, messageId, now).toArray();
    if (inserted.length) return { messageId, receivedAt: now, fresh: true, enqueued: false };
    const row = this.#sql.exec<{ message_id: string; received_at: number; processed_at: number | null }>(`SELECT message_id, received_at, processed_at FROM inbox WHERE sid = ?`, sid).one();
    return { messageId: row.message_id, receivedAt: row.received_at, fresh: false, enqueued: row.processed_at !== null };
  }

  /** The message's turn is on the Queue. */
  markTurnEnqueued(sid: string, now: number) {
    this.#sql.exec(`UPDATE inbox SET processed_at = ? WHERE sid = ?`, now, sid);
  }

  /**
   * The storage sweep (on the object's schedule): Twilio retries a webhook for minutes, not weeks; a closed turn's
   * slot is only needed while a late redelivery may ask; tries count only against the code in force.
   */
  sweep(now: number, keepMs: number, currentCode: string | null) {
    this.#sql.exec(`DELETE FROM inbox WHERE received_at < ?`, now - Math.min(keepMs, INBOX_KEEP_MS));
    this.#sql.exec(`DELETE FROM turn_slots WHERE state = 'done' AND done_at < ?`, now - Math.min(keepMs, DONE_SLOT_KEEP_MS));
    this.#sql.exec(`DELETE FROM pairing_tries WHERE code IS NOT ?`, currentCode);
  }

  // ── pairing ──
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

  /**
   * Takes a pairing code for one sender: true for the first sender to take it (and for that sender again, when a
   * retried webhook redoes the pairing), false for everyone after. Synchronous, so phones texting the code at once
   * cannot both take it. Codes live minutes; a day-old record is only kept to be deleted here.
   */
  takePairingCode(code: string, sender: string, now: number): boolean {
    this.#sql.exec(`DELETE FROM pairing_taken WHERE taken_at < ?`, now - 24 * 3600_000);
    const taken = this.#sql
      .exec<{ sender: string }>(`INSERT INTO pairing_taken (code, sender, taken_at) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET code = code RETURNING sender`, code, sender, now)
      .one();
    return taken.sender === sender;
  }

  clearTries() {
    this.#sql.exec(`DELETE FROM pairing_tries`);
  }

  // ── turn order: one running turn per conversation, in arrival order ──
  addTurn(turnId: string, sender: string, now: number) {
    this.#sql.exec(
      `INSERT INTO turn_slots (turn_id, sender, seq, state, changed_at) VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM turn_slots), 'queued', ?) ON CONFLICT (turn_id) DO NOTHING`,
      turnId,
      sender,
      now,
    );
  }

  slot(turnId: string): SlotRow | undefined {
    return this.#sql.exec<SlotRow>(`SELECT * FROM turn_slots WHERE turn_id = ?`, turnId).toArray()[0];
  }

  /**
   * Claims the turn for one run. While the lease holds, other deliveries are "busy"; only a later attempt of the
   * holding job itself (its consumer died, the Queue redelivered it) takes over. A job the liveness check added has
   * another id, so it never runs beside a live holder; the holder gives the lease back before asking for a retry.
   */
  beginTurn(turnId: string, attempt: number, now: number, jobId: string | null = null): BeginDecision {
    const slot = this.slot(turnId);
    if (!slot) return { status: "unknown" };
    if (slot.state === "done") return { status: "done" };
    const earlier = this.#sql.exec(`SELECT 1 FROM turn_slots WHERE sender = ? AND seq < ? AND state != 'done' LIMIT 1`, slot.sender, slot.seq).toArray().length > 0;
    if (earlier) {
      this.#sql.exec(`UPDATE turn_slots SET state = 'deferred', changed_at = ? WHERE turn_id = ?`, now, turnId);
      return { status: "deferred" };
    }
    const held = slot.state === "running" && (slot.lease_until ?? 0) > now;
    if (held && !(jobId !== null && slot.holder === jobId && attempt > slot.attempt)) return { status: "busy" };
    this.#sql.exec(
      `UPDATE turn_slots SET state = 'running', attempt = ?, holder = ?, lease_until = ?, changed_at = ? WHERE turn_id = ?`,
      attempt,
      jobId,
      now + TURN_LEASE_MS,
      now,
      turnId,
    );
    return { status: "run", attempt, deadline: now + TURN_BUDGET_MS };
  }

  /** The running turn goes back to waiting for its job (a retry the consumer asked for), lease given up. */
  releaseTurn(turnId: string, now: number) {
    this.#sql.exec(`UPDATE turn_slots SET state = 'queued', lease_until = NULL, changed_at = ? WHERE turn_id = ? AND state = 'running'`, now, turnId);
  }

  /** A new job is on the Queue for the turn: it waits for that job from now. */
  requeued(turnId: string, now: number) {
    this.#sql.exec(`UPDATE turn_slots SET state = 'queued', lease_until = NULL, changed_at = ? WHERE turn_id = ? AND state != 'done'`, now, turnId);
  }

  /** The first open turn of the conversation: the one that must run before any other of it can. */
  head(sender: string): SlotRow | undefined {
    return this.#sql.exec<SlotRow>(`SELECT * FROM turn_slots WHERE sender = ? AND state != 'done' ORDER BY seq LIMIT 1`, sender).toArray()[0];
  }

  /** The first open turn of every conversation. */
  heads(): SlotRow[] {
    return this.#sql
      .exec<SlotRow>(`SELECT * FROM turn_slots t WHERE state != 'done' AND NOT EXISTS (SELECT 1 FROM turn_slots e WHERE e.sender = t.sender AND e.seq < t.seq AND e.state != 'done')`)
      .toArray();
  }

  /** Marks the turn done and returns the next deferred turn of the same conversation, which needs re-enqueueing. */
  finishTurn(turnId: string, now: number): string | null {
    const slot = this.slot(turnId);
    if (!slot || slot.state === "done") return null;
    this.#sql.exec(`UPDATE turn_slots SET state = 'done', lease_until = NULL, done_at = ?, changed_at = ? WHERE turn_id = ?`, now, now, turnId);
    const next = this.head(slot.sender);
    if (next?.state !== "deferred") return null;
    this.#sql.exec(`UPDATE turn_slots SET state = 'queued', changed_at = ? WHERE turn_id = ?`, now, next.turn_id);
    return next.turn_id;
  }
}
