// Message rows in D1. Inbound rows are keyed by (channel, MessageSid) so a webhook Twilio retries, or two copies
// arriving at once, land on one row; `processed_at` marks rows the channel object has fully handled.
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

export interface InboundRecord extends InboundInsert {
  status: string;
  dropReason: string | null;
  turnId: string | null;
}

/**
 * Writes an inbound message with its outcome, in one statement. Keyed by (channel, MessageSid): handling that is
 * redone after a crash overwrites the outcome instead of adding a row.
 */
export function recordInbound(db: Db, m: InboundRecord) {
  const now = Date.now();
  const outcome = { status: m.status, dropReason: m.dropReason, turnId: m.turnId, meta: m.meta ? JSON.stringify(m.meta) : null, processedAt: now, updatedAt: now };
  return db
    .insert(messages)
    .values({ id: m.id, channelId: m.channelId, direction: "inbound", from: m.from, to: m.to, body: m.body, twilioSid: m.twilioSid, createdAt: m.createdAt, ...outcome })
    .onConflictDoUpdate({ target: [messages.channelId, messages.twilioSid], set: outcome });
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
