// Message rows in D1. Inbound rows are keyed by (channel, MessageSid) so a webhook Twilio retries, or two copies
// arriving at once, land on one row; `processed_at` marks rows the channel object has fully handled.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { explainTwilioError } from "../domain/twilio/error-codes";
import type { Db } from "./client";
import { mediaOfMessages, mediaView } from "./media";
import { prebuilt, type Prebuilt } from "./prebuilt";
import { messages, type MediaRow, type MessageRow } from "./schema";

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
 * redone after a crash overwrites the outcome instead of adding a row. A D1 statement (not a drizzle query) so the
 * channel object can group it with others into one batch.
 */
export function recordInbound(d1: D1Database, m: InboundRecord): D1PreparedStatement {
  const now = Date.now();
  const insert = (inboundInsert ??= prebuilt(inboundInsertQuery()));
  const values = { ...m, meta: m.meta ? JSON.stringify(m.meta) : null, now };
  return d1.prepare(insert.sql).bind(...insert.bind(values));
}

// Built once: drizzle assembling this statement's SQL took more CPU per message than the rest of the write
// (bench/profile); the text never changes, only the values bound to it. The update takes the inserted values.
let inboundInsert: Prebuilt | undefined;
const p = (name: keyof InboundRecord | "now") => sql.placeholder(name);
const excluded = (column: string) => sql.raw(`excluded.${column}`);
const inboundInsertQuery = () =>
  drizzle({} as D1Database)
    .insert(messages)
    .values({ id: p("id"), channelId: p("channelId"), direction: "inbound", from: p("from"), to: p("to"), body: p("body"), twilioSid: p("twilioSid"), createdAt: p("createdAt"), status: p("status"), dropReason: p("dropReason"), turnId: p("turnId"), meta: p("meta"), processedAt: p("now"), updatedAt: p("now") })
    .onConflictDoUpdate({
      target: [messages.channelId, messages.twilioSid],
      set: { status: excluded("status"), dropReason: excluded("drop_reason"), turnId: excluded("turn_id"), meta: excluded("meta"), processedAt: excluded("processed_at"), updatedAt: excluded("updated_at") },
    });

/**
 * Records which signal watch has an inbound message's signal now (null: none), when that changes after the message
 * was recorded: a watch's lookback took it, or a hub watch gave it back. Goes through the object's ordered writes,
 * so it lands after the message's own insert.
 */
export function noteSignalWatch(d1: D1Database, channelId: string, messageId: string, watchId: string | null): D1PreparedStatement {
  return d1
    .prepare(`UPDATE messages SET meta = json_set(coalesce(meta, '{}'), '$.watch_id', ?1), updated_at = ?2 WHERE id = ?3 AND channel_id = ?4`)
    .bind(watchId, Date.now(), messageId, channelId);
}

export function messageView(m: MessageRow, media: MediaRow[] = []) {
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
    /** The same error explained: what happened and what to do (null when there is none). */
    error: explainTwilioError(m.errorCode, m.errorMessage),
    encoding: m.encoding,
    segments: m.segments,
    turn_id: m.turnId,
    meta: m.meta ? (JSON.parse(m.meta) as Record<string, unknown>) : null,
    media: media.map(mediaView),
    created_at: new Date(m.createdAt).toISOString(),
    updated_at: new Date(m.updatedAt).toISOString(),
  };
}

/** Views of messages with their media (one D1 read for all of them). */
export async function messageViews(db: Db, rows: MessageRow[]) {
  const media = await mediaOfMessages(db, rows.map((m) => m.id));
  return rows.map((m) => messageView(m, media.get(m.id)));
}
