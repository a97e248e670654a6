// Message rows in D1. Inbound rows are keyed by (channel, MessageSid) so a webhook Twilio retries, or two copies
// arriving at once, land on one row; `processed_at` marks rows the channel object has fully handled.
import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { messages, type MessageRow } from "./schema";

export interface InboundInsert {
  id: string;
  channelId: string;
  twilioSid: string;
  from: string;
  to: string;
  body: string;
  meta?: Record<string, unknown>;
  createdAt: number;
}

/** Stores the inbound row unless (channel, sid) exists. `created` is false for a Twilio retry or a concurrent copy. */
export async function insertInbound(db: Db, m: InboundInsert): Promise<{ row: MessageRow; created: boolean }> {
  const created = await db
    .insert(messages)
    .values({
      id: m.id,
      channelId: m.channelId,
      direction: "inbound",
      from: m.from,
      to: m.to,
      body: m.body,
      status: "received",
      twilioSid: m.twilioSid,
      meta: m.meta ? JSON.stringify(m.meta) : null,
      createdAt: m.createdAt,
      updatedAt: m.createdAt,
    })
    .onConflictDoNothing()
    .returning()
    .get();
  if (created) return { row: created, created: true };
  const existing = await db.select().from(messages).where(and(eq(messages.channelId, m.channelId), eq(messages.twilioSid, m.twilioSid))).get();
  if (!existing) throw new Error("inbound insert conflicted but no row was found");
  return { row: existing, created: false };
}

export async function finishInbound(db: Db, id: string, patch: { status: string; dropReason?: string | null; meta?: Record<string, unknown> | null; turnId?: string }) {
  const now = Date.now();
  await db
    .update(messages)
    .set({
      status: patch.status,
      dropReason: patch.dropReason ?? null,
      ...(patch.turnId ? { turnId: patch.turnId } : {}),
      ...(patch.meta === undefined ? {} : { meta: patch.meta === null ? null : JSON.stringify(patch.meta) }),
      processedAt: now,
      updatedAt: now,
    })
    .where(eq(messages.id, id))
    .run();
}

export function messageView(m: MessageRow) {
  return {
    id: m.id,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    drop_reason: m.dropReason,
    twilio_sid: m.twilioSid,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    encoding: m.encoding,
    segments: m.segments,
    turn_id: m.turnId,
    meta: m.meta ? (JSON.parse(m.meta) as Record<string, unknown>) : null,
    created_at: new Date(m.createdAt).toISOString(),
    updated_at: new Date(m.updatedAt).toISOString(),
  };
}
