// The D1 facts behind a channel's diagnostics: when its last text came, and whether recent replies heard back from
// Twilio. Both read the messages_channel_created index over a bounded window.
import { and, desc, eq, gte, isNotNull, lte, sql } from "drizzle-orm";
import type { Db } from "./client";
import { messages } from "./schema";

/** Outbound statuses that only the API answer gives: a reply still in one heard nothing back from Twilio since. */
const BEFORE_CALLBACK = ["accepted", "scheduled", "queued", "sending"];

export async function lastInboundAt(db: Db, channelId: string): Promise<number | null> {
  const row = await db
    .select({ at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.direction, "inbound")))
    .orderBy(desc(messages.createdAt))
    .limit(1)
    .get();
  return row?.at ?? null;
}

/** Replies sent (with a SID) between `from` and `to`: how many, how many never got a status callback, the newest of those. */
export async function callbackGaps(db: Db, channelId: string, from: number, to: number): Promise<{ total: number; missing: number; latestMissing: string | null }> {
  const waiting = sql`${messages.status} IN (${sql.join(BEFORE_CALLBACK.map((s) => sql`${s}`), sql`, `)})`;
  const row = await db
    .select({
      total: sql<number>`count(*)`,
      missing: sql<number>`coalesce(sum(CASE WHEN ${waiting} THEN 1 ELSE 0 END), 0)`,
      latestMissing: sql<string | null>`max(CASE WHEN ${waiting} THEN ${messages.createdAt} || ' ' || ${messages.twilioSid} END)`,
    })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.direction, "outbound"), isNotNull(messages.twilioSid), gte(messages.createdAt, from), lte(messages.createdAt, to)))
    .get();
  return { total: row?.total ?? 0, missing: row?.missing ?? 0, latestMissing: row?.latestMissing?.split(" ")[1] ?? null };
}
