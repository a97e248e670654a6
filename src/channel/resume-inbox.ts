// The receiving side of watches that resume a conversation, in the conversation's channel object. Each step of a
// watch (its settlement, or a continuous watch's next match) arrives here once or more and is taken once, by
// (watch, seq) in this object's SQLite: recorded as a message of the conversation and answered by a continuation
// turn, queued in the conversation's order like any other turn. Steps that arrive while the watch's previous
// continuation has not started yet join it, so one watch never has two continuations waiting at once.
import { createTurn, recordWatchStep } from "../db/turns";
import { toD1 } from "../db/prebuilt";
import { continuationPrompt, type Settlement } from "../domain/signals";
import { turnJob } from "../queue/job";
import type { TurnLiveness } from "./liveness";
import type { RemovalFence } from "./removal";
import type { LocalStore } from "./local-store";
import type { ResumeAnswer, ResumeDelivery } from "./resume-outbox";
import type { SenderLimit } from "./sender-limit";
import type { ChannelState } from "./state";
import { maxTurnsPerSenderPerHour } from "../lib/config";

/** How long a received step is remembered against a late re-delivery (at most; RETENTION_DAYS may be shorter). */
const KEEP_MS = 7 * 24 * 3600_000;

/** A step that would open a turn past the conversation's continuation limit: it is not taken now. */
const LIMITED = Symbol("limited");
/** The continuation window's key in the sender limit's table: apart from the person's own turns. */
const CONTINUATIONS = "continuation:";

type Row = { watch_id: string; seq: number; turn_id: string; sender: string; settlement: string; opened: number; enqueued_at: number | null };

export const watchStepIds = (watchId: string, seq: number) => {
  const key = `w${watchId.replace(/^wt_/, "")}_${seq}`;
  return { messageId: `msg_${key}`, turnId: `turn_${key}` };
};

export class ResumeInbox {
  readonly #sql: SqlStorage;

  constructor(
    sql: SqlStorage,
    readonly state: ChannelState,
    readonly local: LocalStore,
    readonly liveness: TurnLiveness,
    /** Checked after every await before the next write: a channel deleted meanwhile gets nothing more written. */
    readonly fence: RemovalFence,
    /**
     * Continuation turns count in a window of their own per conversation (so they never use up the person's), with
     * the same MAX_TURNS_PER_SENDER_PER_HOUR: whoever can text a watched number cannot make the agent text the
     * person without end. A step past it waits in the sender's outbox ("later").
     */
    readonly limit: SenderLimit,
  ) {
    this.#sql = sql;
  }

  migrate() {
    // opened: this step opened its turn (the others joined one); enqueued_at: its message and turn are in D1 and
    // the turn's job is on the Queue, so a re-delivery has nothing left to do.
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS resumptions (watch_id TEXT NOT NULL, seq INTEGER NOT NULL, turn_id TEXT NOT NULL, sender TEXT NOT NULL, settlement TEXT NOT NULL,
        opened INTEGER NOT NULL, received_at INTEGER NOT NULL, enqueued_at INTEGER, PRIMARY KEY (watch_id, seq))`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS resumptions_turn ON resumptions (turn_id)`);
  }

  /** Takes a delivery (the channel is loaded). Answers "gone" when this channel can no longer hold the conversation. */
  async receive(d: ResumeDelivery, now: () => number): Promise<{ answer: ResumeAnswer; messageIds: string[] }> {
    const row = this.state.row;
    if (row.dispatchMode === "signal") return { answer: { status: "gone", reason: "the channel is in signal mode: it no longer replies" }, messageIds: [] };
    // A channel whose registration with Twilio failed (or is under way) is fixed by its owner saving it again: the
    // step waits for that. Disconnected is the owner's choice to stop: the step is dropped.
    if (row.status === "failed" || row.status === "registering") return { answer: { status: "later", reason: `the channel is ${row.status}` }, messageIds: [] };
    if (row.status !== "connected" && row.status !== "pairing") return { answer: { status: "gone", reason: `the channel is ${row.status}` }, messageIds: [] };
    // The conversation must still be the agent's: woken on a channel handed to another agent since, it would read
    // that agent's history with the person and text them in its place.
    if (row.agentId !== d.agentId) return { answer: { status: "gone", reason: `the channel now belongs to another agent than ${d.agentId}` }, messageIds: [] };
    // The person must still be someone the agent hears from (a phone unpaired since, a sender now forbidden).
    const { engine, q } = await this.state.policyQuery("receive_message", d.sender, this.state.paired.has(d.sender));
    if (engine.decide(q).decision !== "allow") return { answer: { status: "gone", reason: `the policies no longer let the agent receive messages from ${d.sender}` }, messageIds: [] };
    const messageIds: string[] = [];
    for (const step of d.steps) {
      this.fence.check();
      const id = await this.#take(d, step, now);
      if (id === LIMITED) return { answer: { status: "later", reason: `${d.sender} already had ${maxTurnsPerSenderPerHour(this.state.env)} continuation turns in the last hour` }, messageIds };
      if (id) messageIds.push(id);
    }
    return { answer: { status: "accepted" }, messageIds };
  }

  /** One step, once: its record and turn slot first (synchronously), then D1, then the Queue. */
  async #take(d: ResumeDelivery, step: ResumeDelivery["steps"][number], now: () => number): Promise<string | null | typeof LIMITED> {
    const taken = this.#sql.exec<Row>(`SELECT * FROM resumptions WHERE watch_id = ? AND seq = ?`, d.watchId, step.seq).toArray()[0] ?? this.#open(d, step, now());
    if (taken === LIMITED) return LIMITED;
    if (taken.enqueued_at !== null) return null;
    const { messageId } = watchStepIds(d.watchId, step.seq);
    const channelId = this.state.row.id;
    const db = this.state.db;
    const message = toD1(this.state.env.DB, recordWatchStep(db, { id: messageId, channelId, sender: taken.sender, turnId: taken.turn_id, settlement: step.settlement, at: now() }));
    if (taken.opened) {
      // The message and its turn land together; the job goes on the Queue only once both exist.
      const turn = createTurn(db, { id: taken.turn_id, channelId, agentId: d.agentId, sender: taken.sender, inboundMessageId: messageId });
      await this.state.writes.write([message, toD1(this.state.env.DB, turn)]);
      this.fence.check();
      await this.liveness.watch(channelId, taken.turn_id, now());
      await this.state.env.TURNS.send(turnJob(channelId, taken.turn_id));
    } else {
      await this.state.writes.write([message]);
    }
    this.fence.check();
    this.#sql.exec(`UPDATE resumptions SET enqueued_at = ? WHERE watch_id = ? AND seq = ?`, now(), d.watchId, step.seq);
    return messageId;
  }

  /**
   * Records a new step and gives it a turn: the watch's latest continuation if that has not begun (never run, so
   * no reply is composed from it yet), else a new turn at the end of the conversation's order.
   */
  #open(d: ResumeDelivery, step: ResumeDelivery["steps"][number], now: number): Row | typeof LIMITED {
    const latest = this.#sql.exec<{ turn_id: string }>(`SELECT turn_id FROM resumptions WHERE watch_id = ? ORDER BY seq DESC LIMIT 1`, d.watchId).toArray()[0];
    const slot = latest ? this.local.slot(latest.turn_id) : undefined;
    const join = slot && slot.attempt === 0 && (slot.state === "queued" || slot.state === "deferred");
    const turnId = join ? slot.turn_id : watchStepIds(d.watchId, step.seq).turnId;
    if (!join && !this.limit.admit(turnId, `${CONTINUATIONS}${d.sender}`, now, maxTurnsPerSenderPerHour(this.state.env)).admitted) return LIMITED;
    if (!join) this.local.addTurn(turnId, d.sender, now);
    const row: Row = { watch_id: d.watchId, seq: step.seq, turn_id: turnId, sender: d.sender, settlement: JSON.stringify(step.settlement), opened: join ? 0 : 1, enqueued_at: null };
    this.#sql.exec(
      `INSERT INTO resumptions (watch_id, seq, turn_id, sender, settlement, opened, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      row.watch_id,
      row.seq,
      row.turn_id,
      row.sender,
      row.settlement,
      row.opened,
      now,
    );
    return row;
  }

  /** A continuation turn's input, from every step it holds (null: not a continuation). Read once the turn has begun. */
  prompt(turnId: string): string | null {
    const rows = this.#sql.exec<{ settlement: string }>(`SELECT settlement FROM resumptions WHERE turn_id = ? ORDER BY watch_id, seq`, turnId).toArray();
    return rows.length ? continuationPrompt(rows.map((r) => JSON.parse(r.settlement) as Settlement)) : null;
  }

  /** The storage sweep: steps fully taken long ago (a re-delivery comes within hours, not days). */
  sweep(now: number, keepMs: number) {
    this.#sql.exec(`DELETE FROM resumptions WHERE enqueued_at IS NOT NULL AND received_at < ?`, now - Math.min(keepMs, KEEP_MS));
  }
}
