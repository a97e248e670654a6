// The sending side of watches that resume a conversation. When such a watch settles (or a continuous one records
// a match), the step is written here in the same synchronous SQLite step as the settlement, and the object's
// schedule delivers it by RPC to the conversation's channel object, retrying with backoff until that object
// acknowledges it. The receiver is idempotent by (watch, seq), so a step delivered twice — the ack lost, this object
// reset after the RPC — still makes one continuation turn.
import type { Settlement } from "../domain/signals";
import { MAX_TIMEOUT_S } from "../domain/signals/limits";
import type { Schedule } from "./schedule";
import type { Conversation } from "./watch-store";

export const WATCH_RESUME = "watch_resume";
/** Steps sent in one RPC (a continuous watch that matched many times while its conversation's object was away). */
const BATCH = 50;
/** How soon a step the conversation's object answered "later" is offered again. */
export const RESUME_LATER_MS = 10 * 60_000;
/**
 * How long after it settled a step answered "later" is still offered: as long as a watch may wait (a week). A
 * channel left failed, or a conversation kept past its continuation limit, would otherwise hold it forever.
 */
export const RESUME_LATER_FOR_MS = MAX_TIMEOUT_S * 1000;
const LATER_DAYS = `${RESUME_LATER_FOR_MS / 86_400_000} days`;

/** What the conversation's object receives: the steps of one watch, in order. */
export interface ResumeDelivery {
  watchId: string;
  agentId: string;
  sender: string;
  steps: { seq: number; settlement: Settlement }[];
}
/** gone: the conversation can never be resumed (dropped); later: not now, the channel is between states (kept, tried again). */
export type ResumeAnswer = { status: "accepted" } | { status: "gone"; reason: string } | { status: "later"; reason: string };

/** A step not yet acknowledged, as it is handed to another object (the hub) when this one's storage is deleted. */
export interface PendingStep {
  watchId: string;
  seq: number;
  agentId: string;
  conversation: Conversation;
  settlement: Settlement;
  createdAt: number;
}

type Row = { watch_id: string; seq: number; channel_id: string; sender: string; agent_id: string; settlement: string; state: string; created_at: number };

export class ResumeOutbox {
  readonly #sql: SqlStorage;
  readonly #schedule: Schedule;
  readonly #send: (channelId: string, delivery: ResumeDelivery) => Promise<ResumeAnswer>;

  constructor(sql: SqlStorage, schedule: Schedule, send: (channelId: string, delivery: ResumeDelivery) => Promise<ResumeAnswer>) {
    this.#sql = sql;
    this.#schedule = schedule;
    this.#send = send;
  }

  migrate() {
    // state: pending until the conversation's object answers; then delivered, or dropped (the channel is gone).
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS resume_outbox (watch_id TEXT NOT NULL, seq INTEGER NOT NULL, channel_id TEXT NOT NULL, sender TEXT NOT NULL, agent_id TEXT NOT NULL,
        settlement TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', note TEXT, created_at INTEGER NOT NULL, done_at INTEGER, PRIMARY KEY (watch_id, seq))`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS resume_outbox_state ON resume_outbox (state, done_at)`);
  }

  /**
   * Records a step. Synchronous up to the schedule's row, so it lands with the settlement that made it; the alarm
   * is set after. A step recorded twice (a redone settlement) stays one.
   */
  add(step: PendingStep) {
    const { watchId, seq, agentId, conversation, settlement, createdAt } = step;
    this.#sql.exec(
      `INSERT INTO resume_outbox (watch_id, seq, channel_id, sender, agent_id, settlement, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      watchId,
      seq,
      conversation.channelId,
      conversation.sender,
      agentId,
      JSON.stringify(settlement),
      createdAt,
    );
    this.#schedule.schedule(WATCH_RESUME, watchId, createdAt).catch((err) => console.error(`could not schedule resuming ${watchId}`, err));
  }

  /** The schedule's handler: sends the watch's pending steps; throws (so it is retried) when the call fails. */
  async deliver(watchId: string, now: number): Promise<number | null> {
    const rows = this.#sql.exec<Row>(`SELECT * FROM resume_outbox WHERE watch_id = ? AND state = 'pending' ORDER BY seq LIMIT ?`, watchId, BATCH).toArray();
    const first = rows[0];
    if (!first) return null;
    const answer = await this.#send(first.channel_id, {
      watchId,
      agentId: first.agent_id,
      sender: first.sender,
      steps: rows.map((r) => ({ seq: r.seq, settlement: JSON.parse(r.settlement) as Settlement })),
    });
    if (answer.status === "later") return this.#later(watchId, answer.reason, now);
    const state = answer.status === "accepted" ? "delivered" : "dropped";
    const note = answer.status === "gone" ? answer.reason : null;
    if (note) console.warn(`watch ${watchId}: its conversation cannot be resumed (${note}); dropping ${rows.length} step(s)`);
    this.#sql.exec(`UPDATE resume_outbox SET state = ?, note = ?, done_at = ? WHERE watch_id = ? AND seq <= ? AND state = 'pending'`, state, note, now, watchId, rows.at(-1)!.seq);
    return this.#sql.exec(`SELECT 1 FROM resume_outbox WHERE watch_id = ? AND state = 'pending' LIMIT 1`, watchId).toArray().length ? now : null;
  }

  /** A "later" answer: steps offered for RESUME_LATER_FOR_MS are dropped with the reason; the rest are tried again. */
  #later(watchId: string, reason: string, now: number): number | null {
    const expired = this.#sql.exec(
      `UPDATE resume_outbox SET state = 'dropped', note = ?, done_at = ? WHERE watch_id = ? AND state = 'pending' AND created_at <= ?`,
      `not resumable for ${LATER_DAYS} (${reason})`,
      now,
      watchId,
      now - RESUME_LATER_FOR_MS,
    ).rowsWritten;
    if (expired) console.warn(`watch ${watchId}: its conversation could not be resumed for ${LATER_DAYS} (${reason}); dropping its oldest step(s)`);
    const left = this.#sql.exec(`SELECT 1 FROM resume_outbox WHERE watch_id = ? AND state = 'pending' LIMIT 1`, watchId).toArray().length;
    if (!left) return null;
    console.warn(`watch ${watchId}: its conversation cannot be resumed yet (${reason}); trying again later`);
    return now + RESUME_LATER_MS;
  }

  /** Steps not yet acknowledged (handed to the hub before this object's storage is deleted). */
  pending(): PendingStep[] {
    return this.#sql
      .exec<Row>(`SELECT * FROM resume_outbox WHERE state = 'pending' ORDER BY watch_id, seq`)
      .toArray()
      .map((r) => ({ watchId: r.watch_id, seq: r.seq, agentId: r.agent_id, conversation: { channelId: r.channel_id, sender: r.sender }, settlement: JSON.parse(r.settlement) as Settlement, createdAt: r.created_at }));
  }

  /** After a restart: every watch with steps to send has its delivery on the schedule (which also sets the alarm). */
  async adoptPending(now: number) {
    const watches = this.#sql.exec<{ watch_id: string }>(`SELECT DISTINCT watch_id FROM resume_outbox WHERE state = 'pending'`).toArray();
    for (const w of watches) if (this.#schedule.when(WATCH_RESUME, w.watch_id) === null) await this.#schedule.schedule(WATCH_RESUME, w.watch_id, now);
  }

  /** The storage sweep: delivered and dropped steps after `keepMs`; pending ones are never deleted. */
  sweep(now: number, keepMs: number) {
    this.#sql.exec(`DELETE FROM resume_outbox WHERE state != 'pending' AND done_at < ?`, now - keepMs);
  }

  isEmpty(): boolean {
    return !this.#sql.exec(`SELECT 1 FROM resume_outbox LIMIT 1`).toArray().length;
  }
}
