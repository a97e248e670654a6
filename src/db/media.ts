// Media rows in D1: the copy each channel object writes of its own media records. The message views read them, and
// the media routes find an item's channel (so who may see it) here, without waking the channel's object.
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { toD1 } from "./prebuilt";
import { channels, media, type MediaRow } from "./schema";

/** Where an item's bytes are in the MEDIA bucket. */
export const mediaKey = (channelId: string, id: string) => `media/${channelId}/${id}`;

/**
 * The statement writing the object's current record of one item. Copies can land out of order (the download
 * finishing while the message is still being written), so an older state never overwrites a newer one.
 */
export function mediaCopy(db: Db, d1: D1Database, m: MediaRow): D1PreparedStatement {
  const later = (column: string) => sql.raw(`excluded.${column}`);
  return toD1(
    d1,
    db
      .insert(media)
      .values(m)
      .onConflictDoUpdate({
        target: media.id,
        set: { messageId: later("message_id"), contentType: later("content_type"), size: later("size"), status: later("status"), reason: later("reason"), updatedAt: later("updated_at") },
        setWhere: sql`excluded.updated_at >= ${media.updatedAt}`,
      }),
  );
}

/** D1 binds at most 100 parameters per statement. */
const CHUNK = 90;

/** The media of these messages, by message id, each list in message order. */
export async function mediaOfMessages(db: Db, messageIds: string[]): Promise<Map<string, MediaRow[]>> {
  const chunks: string[][] = [];
  for (let i = 0; i < messageIds.length; i += CHUNK) chunks.push(messageIds.slice(i, i + CHUNK));
  const rows = (await Promise.all(chunks.map((ids) => db.select().from(media).where(inArray(media.messageId, ids)).orderBy(asc(media.idx)).all()))).flat();
  const out = new Map<string, MediaRow[]>();
  for (const r of rows) out.set(r.messageId!, [...(out.get(r.messageId!) ?? []), r]);
  return out;
}

/** One item with the agent of its channel (who, besides the admin, may read it). */
export async function mediaWithAgent(db: Db, id: string): Promise<(MediaRow & { agentId: string }) | undefined> {
  const row = await db.select({ m: media, agentId: channels.agentId }).from(media).innerJoin(channels, eq(channels.id, media.channelId)).where(eq(media.id, id)).get();
  return row ? { ...row.m, agentId: row.agentId } : undefined;
}

export const mediaView = (m: MediaRow) => ({
  id: m.id,
  content_type: m.contentType,
  size: m.size,
  status: m.status,
  reason: m.reason,
  url: `/api/media/${m.id}`,
});
export type MediaView = ReturnType<typeof mediaView>;
