// Agent turns, their outbound replies, conversation history and sender opt-outs in D1.
import { and, desc, eq, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { continuationPrompt, settlementSummary, type Settlement } from "../domain/signals";
import { STATUS_RANKS } from "../domain/twilio/status";
import { agents, channels, messages, senders, turns, type MessageRow, type TurnRow } from "./schema";

/** The statement that creates a turn (once: a redone inbound message re-creates nothing). */
export function createTurn(db: Db, t: { id: string; channelId: string; agentId: string; sender: string; inboundMessageId: string }) {
  const now = Date.now();
  return db.insert(turns).values({ ...t, status: "queued", createdAt: now, updatedAt: now }).onConflictDoNothing();
}

export const getTurn = (db: Db, id: string) => db.select().from(turns).where(eq(turns.id, id)).get();

export async function updateTurn(db: Db, id: string, patch: Partial<TurnRow>) {
  await db.update(turns).set({ ...patch, updatedAt: Date.now() }).where(eq(turns.id, id)).run();
}

export const listTurns = (db: Db, channelId: string, limit: number) =>
  db.select().from(turns).where(eq(turns.channelId, channelId)).orderBy(desc(turns.createdAt), desc(turns.id)).limit(limit).all();

export const getAgent = (db: Db, id: string) => db.select().from(agents).where(eq(agents.id, id)).get();

export const getMessage = (db: Db, id: string) => db.select().from(messages).where(eq(messages.id, id)).get();

export const outboundForTurn = (db: Db, turnId: string) =>
  db.select().from(messages).where(and(eq(messages.turnId, turnId), eq(messages.direction, "outbound"))).get();

export const messageBySid = (db: Db, channelId: string, sid: string) =>
  db.select().from(messages).where(and(eq(messages.channelId, channelId), eq(messages.twilioSid, sid))).get();

/** The channel object's ledger row for a reply, as D1 keeps it (the queryable copy the API and UI read). */
export interface OutboundCopy {
  id: string;
  channelId: string;
  turnId: string;
  from: string;
  to: string;
  body: string;
  encoding: string;
  segments: number;
  status: string;
  twilioSid: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: number;
}

const rankOf = (column: SQL | typeof messages.status) =>
  sql`(CASE ${column} ${sql.join(
    Object.entries(STATUS_RANKS).map(([s, r]) => sql`WHEN ${s} THEN ${r}`),
    sql` `,
  )} ELSE -1 END)`;

/**
 * Writes the ledger's state of a reply into D1: creates the row or brings it up to date, but never moves its
 * status down, so copies written by concurrent callbacks that land out of order leave the highest one.
 */
export async function copyOutbound(db: Db, m: OutboundCopy): Promise<MessageRow | undefined> {
  const now = Date.now();
  return db
    .insert(messages)
    .values({ ...m, direction: "outbound", meta: null, updatedAt: now })
    .onConflictDoUpdate({
      target: messages.id,
      // from: a Messaging Service's reply learns its sender (the pool number Twilio picked) from Twilio's answer.
      set: { status: m.status, from: m.from, twilioSid: m.twilioSid, errorCode: m.errorCode, errorMessage: m.errorMessage, updatedAt: now },
      setWhere: sql`${rankOf(messages.status)} <= ${rankOf(sql`excluded.status`)}`,
    })
    .returning()
    .get();
}

/**
 * Which of `sids` another channel of the same Twilio account already holds as its message. Channels of one account
 * can send through one Messaging Service, whose sender is any pool number, so a message listed To a phone through
 * that service may be another channel's reply. (Read through the (channel_id, twilio_sid) index, channel by channel.)
 */
export async function sidsHeldElsewhere(db: Db, channelId: string, accountSid: string, sids: string[]): Promise<Set<string>> {
  if (!sids.length) return new Set();
  const siblings = db.select({ id: channels.id }).from(channels).where(and(sql`lower(${channels.accountSid}) = lower(${accountSid})`, ne(channels.id, channelId)));
  const rows = await db
    .select({ sid: messages.twilioSid })
    .from(messages)
    .where(and(inArray(messages.channelId, siblings), inArray(messages.twilioSid, sids)))
    .all();
  return new Set(rows.flatMap((r) => (r.sid ? [r.sid] : [])));
}

/** A status for an outbound row the ledger does not hold (sent before it existed): applied only upwards. */
export async function raiseLegacyStatus(db: Db, id: string, status: string, errorCode: string | null) {
  return db
    .update(messages)
    .set({ status, ...(errorCode ? { errorCode } : {}), updatedAt: Date.now() })
    .where(and(eq(messages.id, id), sql`${rankOf(messages.status)} < ${rankOf(sql`${status}`)}`))
    .returning()
    .get();
}

/**
 * The conversation so far with `sender`: texts the agent received, replies it sent, and the settlements of signal
 * watches that resumed it (framed as data from the watch, not as the person's words), oldest first. The running
 * turn's own input is left out: it is the turn's user message.
 */
export async function conversationHistory(db: Db, channelId: string, sender: string, turn: { id: string; inboundMessageId: string }, limit = 20) {
  const rows = await db
    .select({ id: messages.id, direction: messages.direction, body: messages.body, meta: messages.meta, createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.channelId, channelId),
        ne(messages.id, turn.inboundMessageId),
        or(
          and(eq(messages.direction, "inbound"), eq(messages.from, sender), eq(messages.status, "received"), sql`${messages.turnId} is not null`),
          and(eq(messages.direction, "outbound"), eq(messages.to, sender), sql`${messages.twilioSid} is not null`),
          and(eq(messages.direction, "watch"), eq(messages.to, sender), ne(messages.turnId, turn.id)),
        ),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit)
    .all();
  return rows.reverse().map((r) => ({ role: r.direction === "outbound" ? ("assistant" as const) : ("user" as const), content: r.direction === "watch" ? watchStepText(r.meta, r.body) : r.body }));
}

function watchStepText(meta: string | null, body: string): string {
  const settlement = meta ? (JSON.parse(meta) as { settlement?: Settlement }).settlement : undefined;
  return settlement ? continuationPrompt([settlement]) : body;
}

/** A watch's settlement as a message of the conversation it resumes (once: a redone delivery re-creates nothing). */
export function recordWatchStep(db: Db, m: { id: string; channelId: string; sender: string; turnId: string; settlement: Settlement; at: number }) {
  const s = m.settlement;
  return db
    .insert(messages)
    .values({ id: m.id, channelId: m.channelId, direction: "watch", from: s.watch_id, to: m.sender, body: settlementSummary(s), status: s.status, turnId: m.turnId, meta: JSON.stringify({ settlement: s }), processedAt: m.at, createdAt: m.at, updatedAt: m.at })
    .onConflictDoNothing();
}

export async function setOptOut(db: Db, channelId: string, address: string, keyword: string, optedOut: boolean | null) {
  const now = Date.now();
  const patch = optedOut === null ? { lastKeyword: keyword, updatedAt: now } : { lastKeyword: keyword, optedOutAt: optedOut ? now : null, updatedAt: now };
  await db
    .insert(senders)
    .values({ channelId, address, ...patch })
    .onConflictDoUpdate({ target: [senders.channelId, senders.address], set: patch })
    .run();
}

export async function isOptedOut(db: Db, channelId: string, address: string): Promise<boolean> {
  const row = await db.select({ at: senders.optedOutAt }).from(senders).where(and(eq(senders.channelId, channelId), eq(senders.address, address))).get();
  return row?.at != null;
}
