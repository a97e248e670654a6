// One Twilio number, one channel. Two channels on one account + number fight over its SmsUrl (the last to register
// takes every text; deleting either clears it for both), so the claim is made in the same D1 statement that writes
// the row: D1 runs statements one at a time, so of concurrent claims exactly one finds the number free.
// No unique index: deployments from before this rule may already hold duplicates, and a migration adding one would
// fail there. Those rows stay as they are (the sms_url diagnostic shows which channel lost the number).
import { and, eq, ne, notExists, sql, type SQL } from "drizzle-orm";
import { alias, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { channels, type ChannelRow } from "./schema";

/** Twilio writes SIDs in lowercase hex, people may not: an Account SID matches whatever its case. */
const sameNumber = (t: { accountSid: SQLiteColumn; fromNumber: SQLiteColumn }, accountSid: string, fromNumber: string): SQL =>
  and(sql`lower(${t.accountSid}) = lower(${accountSid})`, eq(t.fromNumber, fromNumber))!;

/** The channel (other than `exceptId`) that has this account's number, if any. */
export async function channelWithNumber(db: Db, accountSid: string, fromNumber: string, exceptId?: string): Promise<{ id: string; handle: string } | undefined> {
  const where = exceptId ? and(sameNumber(channels, accountSid, fromNumber), ne(channels.id, exceptId)) : sameNumber(channels, accountSid, fromNumber);
  return db.select({ id: channels.id, handle: channels.handle }).from(channels).where(where).get();
}

/** Inserts the row unless its id or handle is taken or another channel has its number; false when nothing was written. */
export async function insertChannelIfNumberFree(db: Db, row: ChannelRow): Promise<boolean> {
  const r = row;
  const result = await db.run(sql`INSERT INTO channels (id, space_id, agent_id, provider, handle, dispatch_mode, status, error_code, error_message, account_sid, auth_token_sealed, from_number, number_sid, messaging_service_sid, pairing_code, pairing_expires_at, created_at, updated_at)
    SELECT ${r.id}, ${r.spaceId}, ${r.agentId}, ${r.provider}, ${r.handle}, ${r.dispatchMode}, ${r.status}, ${r.errorCode}, ${r.errorMessage}, ${r.accountSid}, ${r.authTokenSealed}, ${r.fromNumber}, ${r.numberSid}, ${r.messagingServiceSid}, ${r.pairingCode}, ${r.pairingExpiresAt}, ${r.createdAt}, ${r.updatedAt}
    WHERE NOT EXISTS (SELECT 1 FROM channels WHERE lower(account_sid) = lower(${r.accountSid}) AND from_number = ${r.fromNumber})
    ON CONFLICT DO NOTHING`);
  return result.meta.changes > 0;
}

/** Applies `patch` (which moves the channel to `accountSid` + `fromNumber`) only if no other channel has that number. */
export async function updateIfNumberFree(db: Db, id: string, patch: Partial<ChannelRow>, accountSid: string, fromNumber: string): Promise<ChannelRow | undefined> {
  const other = alias(channels, "other");
  const taken = db
    .select({ one: sql`1` })
    .from(other)
    .where(and(ne(other.id, id), sameNumber(other, accountSid, fromNumber)));
  return db
    .update(channels)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(channels.id, id), notExists(taken)))
    .returning()
    .get();
}
