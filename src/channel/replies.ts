// Sending a turn's one reply. The outbound row is written before Twilio is called, so a crash or a Queue
// redelivery can never produce a second SMS: a row with a SID is done; a row whose send may or may not have reached
// Twilio (timeout, lost connection) is reconciled against Twilio's message list before anything is sent again.
import type { Db } from "../db/client";
import type { ChannelRow, MessageRow, TurnRow } from "../db/schema";
import { insertOutbound, isOptedOut, messageBySid, outboundForTurn, updateMessage } from "../db/turns";
import { countSegments } from "../domain/sms";
import { isRetryable, type TwilioClient, type TwilioFailure } from "../domain/twilio/rest";
import { advanceStatus } from "../domain/twilio/status";
import { newId } from "../lib/crypto";
import type { LocalStore } from "./local-store";

export type DeliverOutcome =
  | { status: "sent"; messageId: string; sid: string }
  | { status: "failed"; messageId: string | null; reason: string }
  | { status: "retry"; delaySeconds: number; reason: string };

export interface ReplyContext {
  db: Db;
  local: LocalStore;
  channel: ChannelRow;
  client: () => Promise<TwilioClient>;
  statusCallbackUrl: string | null;
  sleep?: (ms: number) => Promise<void>;
}

const INLINE_RETRIES = [250, 1000];

function meta(row: MessageRow): Record<string, unknown> {
  return row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {};
}

export async function deliverReply(ctx: ReplyContext, turn: TurnRow, body: string): Promise<DeliverOutcome> {
  const { db, channel } = ctx;
  let row = await outboundForTurn(db, turn.id);
  if (row?.twilioSid) return { status: "sent", messageId: row.id, sid: row.twilioSid };
  if (row?.status === "failed") return { status: "failed", messageId: row.id, reason: row.errorMessage ?? row.errorCode ?? "failed" };

  if (!row) {
    const seg = countSegments(body);
    row = await insertOutbound(db, {
      id: newId("msg"),
      channelId: channel.id,
      direction: "outbound",
      from: channel.fromNumber,
      to: turn.sender,
      body,
      status: "pending",
      encoding: seg.encoding,
      segments: seg.segments,
      turnId: turn.id,
      meta: null,
      createdAt: Date.now(),
    });
    row ??= await outboundForTurn(db, turn.id);
    if (!row) throw new Error(`outbound row for ${turn.id} vanished`);
  }

  if (await isOptedOut(db, channel.id, turn.sender)) {
    await updateMessage(db, row.id, { status: "failed", errorCode: "recipient_opted_out", errorMessage: `${turn.sender} opted out (STOP); textgate does not send to them until they text START.` });
    return { status: "failed", messageId: row.id, reason: "recipient_opted_out" };
  }

  const client = await ctx.client();
  if (meta(row).uncertain) {
    // An earlier attempt may have reached Twilio. Adopt that message instead of sending another.
    const listed = await client.listMessages({ To: row.to, From: row.from, since: new Date(row.createdAt - 60_000) });
    if (!listed.ok) return { status: "retry", delaySeconds: 30, reason: `could not check Twilio for an earlier send: ${listed.error.message}` };
    const found = listed.value.find((m) => m.body === row!.body);
    if (found) return recordSent(ctx, row, found.sid, found.status);
  }

  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let failure: TwilioFailure | undefined;
  for (let attempt = 0; attempt <= INLINE_RETRIES.length; attempt++) {
    const res = await client.sendMessage({ To: row.to, From: row.from, Body: row.body, ...(ctx.statusCallbackUrl ? { StatusCallback: ctx.statusCallbackUrl } : {}) });
    if (res.ok) return recordSent(ctx, row, res.value.sid, res.value.status);
    failure = res.error;
    if (failure.kind === "network" || failure.kind === "timeout") {
      // Twilio may have accepted it: never resend blind. The next attempt reconciles first.
      await updateMessage(db, row.id, { meta: JSON.stringify({ ...meta(row), uncertain: true }), errorMessage: failure.message });
      return { status: "retry", delaySeconds: 10, reason: failure.message };
    }
    if (!isRetryable(failure)) break;
    if (attempt < INLINE_RETRIES.length) await sleep(INLINE_RETRIES[attempt]!);
  }
  if (failure && isRetryable(failure)) {
    await updateMessage(db, row.id, { errorMessage: `Twilio ${failure.kind === "rate_limited" ? "rate limited" : "error"}: ${failure.message}` });
    return { status: "retry", delaySeconds: failure.kind === "rate_limited" ? 30 : 10, reason: failure.message };
  }
  const f = failure as Extract<TwilioFailure, { status: number }>;
  await updateMessage(db, row.id, { status: "failed", errorCode: f.code ? String(f.code) : `http_${f.status}`, errorMessage: f.message });
  return { status: "failed", messageId: row.id, reason: f.code ? `Twilio error ${f.code}: ${f.message}` : f.message };
}

async function recordSent(ctx: ReplyContext, row: MessageRow, sid: string, twilioStatus: string): Promise<DeliverOutcome> {
  let status = advanceStatus("pending", twilioStatus).status;
  let errorCode: string | null = null;
  // Status callbacks that arrived while we were still waiting for Twilio's answer.
  for (const held of ctx.local.takeHeldStatuses(sid)) {
    status = advanceStatus(status, held.status).status;
    errorCode = held.error_code ?? errorCode;
  }
  const m = meta(row);
  delete m.uncertain;
  await updateMessage(ctx.db, row.id, { twilioSid: sid, status, errorCode, errorMessage: null, meta: Object.keys(m).length ? JSON.stringify(m) : null });
  return { status: "sent", messageId: row.id, sid };
}

/** Applies a status callback; returns the updated row, or null when it was held for a SID we don't know yet. */
export async function applyStatus(ctx: Pick<ReplyContext, "db" | "local" | "channel">, sid: string, status: string, errorCode: string | null) {
  const row = await messageBySid(ctx.db, ctx.channel.id, sid);
  if (!row) {
    ctx.local.holdStatus(sid, status, errorCode, Date.now());
    return null;
  }
  const next = advanceStatus(row.status, status);
  if (!next.changed && !(errorCode && !row.errorCode)) return row;
  return updateMessage(ctx.db, row.id, { status: next.status, ...(errorCode ? { errorCode } : {}) });
}
