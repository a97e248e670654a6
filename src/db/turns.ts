// Agent turns, their outbound replies, conversation history and sender opt-outs in D1.
import { and, desc, eq, ne, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { agents, messages, senders, turns, type MessageRow, type TurnRow } from "./schema";

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

export async function insertOutbound(db: Db, m: Omit<MessageRow, "createdAt" | "updatedAt" | "processedAt" | "dropReason" | "errorCode" | "errorMessage" | "twilioSid"> & { createdAt: number }) {
  return db
    .insert(messages)
    .values({ ...m, updatedAt: m.createdAt })
    .onConflictDoNothing()
    .returning()
    .get();
}

export async function updateMessage(db: Db, id: string, patch: Partial<MessageRow>) {
  return db.update(messages).set({ ...patch, updatedAt: Date.now() }).where(eq(messages.id, id)).returning().get();
}

/** The conversation so far with `sender`: texts the agent received and replies it sent, oldest first. */
export async function conversationHistory(db: Db, channelId: string, sender: string, beforeMessageId: string, limit = 20) {
  const rows = await db
    .select({ id: messages.id, direction: messages.direction, body: messages.body, createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.channelId, channelId),
        ne(messages.id, beforeMessageId),
        or(
          and(eq(messages.direction, "inbound"), eq(messages.from, sender), eq(messages.status, "received"), sql`${messages.turnId} is not null`),
          and(eq(messages.direction, "outbound"), eq(messages.to, sender), sql`${messages.twilioSid} is not null`),
        ),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit)
    .all();
  return rows.reverse().map((r) => ({ role: r.direction === "inbound" ? ("user" as const) : ("assistant" as const), content: r.body }));
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
