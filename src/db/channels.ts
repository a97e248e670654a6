// Channel rows and paired addresses in D1. Writes come from the channel Durable Object; reads also from routes.
import { and, asc, desc, eq, like, sql } from "drizzle-orm";
import type { Db } from "./client";
import { channels, media, messages, pairedAddresses, senders, turns, watchIndex, type ChannelRow } from "./schema";

export async function getChannel(db: Db, id: string): Promise<ChannelRow | undefined> {
  return db.select().from(channels).where(eq(channels.id, id)).get();
}

/** Whether a channel row exists: one primary-key probe, nothing else read. */
export async function channelExists(db: Db, id: string): Promise<boolean> {
  return !!(await db.select({ id: channels.id }).from(channels).where(eq(channels.id, id)).get());
}

export async function listChannels(db: Db): Promise<ChannelRow[]> {
  return db.select().from(channels).orderBy(asc(channels.createdAt)).all();
}

export async function listPaired(db: Db, channelId: string) {
  return db
    .select({ address: pairedAddresses.address, pairedAt: pairedAddresses.pairedAt })
    .from(pairedAddresses)
    .where(eq(pairedAddresses.channelId, channelId))
    .orderBy(asc(pairedAddresses.pairedAt))
    .all();
}

export async function listAllPaired(db: Db) {
  return db.select().from(pairedAddresses).orderBy(asc(pairedAddresses.pairedAt)).all();
}

/** Lowest free handle among "sms", "sms-2", "sms-3", ... */
export async function nextHandle(db: Db, base = "sms"): Promise<string> {
  const taken = new Set((await db.select({ h: channels.handle }).from(channels).where(like(channels.handle, `${base}%`)).all()).map((r) => r.h));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export async function updateChannel(db: Db, id: string, patch: Partial<ChannelRow>): Promise<ChannelRow | undefined> {
  return db.update(channels).set({ ...patch, updatedAt: Date.now() }).where(eq(channels.id, id)).returning().get();
}

/**
 * A phone paired with `code`: the channel is connected, and the code is used up — unless a new code was requested
 * while the pairing was being written, which stays active.
 */
export async function finishPairing(db: Db, id: string, code: string): Promise<ChannelRow | undefined> {
  const stillActive = sql`${channels.pairingCode} = ${code}`;
  return db
    .update(channels)
    .set({
      status: "connected",
      errorCode: null,
      errorMessage: null,
      pairingCode: sql`CASE WHEN ${stillActive} THEN NULL ELSE ${channels.pairingCode} END`,
      pairingExpiresAt: sql`CASE WHEN ${stillActive} THEN NULL ELSE ${channels.pairingExpiresAt} END`,
      updatedAt: Date.now(),
    })
    .where(eq(channels.id, id))
    .returning()
    .get();
}

export async function listMessages(db: Db, channelId: string, limit: number) {
  return db.select().from(messages).where(eq(messages.channelId, channelId)).orderBy(desc(messages.createdAt), desc(messages.id)).limit(limit).all();
}

export async function deleteChannelRows(db: Db, id: string) {
  await db.batch([
    db.delete(turns).where(eq(turns.channelId, id)),
    db.delete(senders).where(eq(senders.channelId, id)),
    db.delete(messages).where(eq(messages.channelId, id)),
    db.delete(media).where(eq(media.channelId, id)),
    db.delete(pairedAddresses).where(eq(pairedAddresses.channelId, id)),
    // The channel's watches go with its object's storage: left here they would count against their agents'
    // limits until they expire (up to a day), with nothing left to cancel.
    db.delete(watchIndex).where(eq(watchIndex.channelId, id)),
    db.delete(channels).where(eq(channels.id, id)),
  ]);
}

export async function addPaired(db: Db, channelId: string, address: string, at: number) {
  await db.insert(pairedAddresses).values({ channelId, address, pairedAt: at }).onConflictDoNothing().run();
}

export async function removePaired(db: Db, channelId: string, address: string): Promise<boolean> {
  const gone = await db
    .delete(pairedAddresses)
    .where(and(eq(pairedAddresses.channelId, channelId), eq(pairedAddresses.address, address)))
    .returning()
    .all();
  return gone.length > 0;
}
