// Sending a turn's one reply through the ledger (ledger.ts), so at most one Twilio message exists per turn — and
// exactly one once Twilio has accepted any — whatever fails between an attempt and its record: a 5xx or 429, a
// timeout, a reset, an eviction or crash at any await, a Queue redelivery. The intent is durable before Twilio is
// called; an attempt whose outcome is unknown is reconciled against Twilio's message list before any resend.
import type { ListedMessage, MessagesApi, TwilioFailure } from "../domain/twilio/rest";
import { mediaUrlsOf, type Ledger, type OutboxRow } from "./ledger";

export type DeliverOutcome =
  | { status: "sent"; messageId: string; sid: string }
  | { status: "failed"; messageId: string | null; reason: string }
  | { status: "retry"; delaySeconds: number; reason: string };

/** The awaits of a delivery, named so tests can crash (throw) at each one and continue on a fresh instance. */
export type DeliverStep = "recorded" | "checked" | "listed" | "attempting" | "answered" | "settled";

export interface ReplyDeps {
  ledger: Ledger;
  twilio: () => Promise<MessagesApi>;
  /** Writes the ledger row's state to D1 (the queryable copy). */
  copy: (row: OutboxRow) => Promise<unknown>;
  optedOut: (address: string) => Promise<boolean>;
  /** Which of these listed SIDs another channel already holds (of the same account, e.g. through a shared service). */
  heldElsewhere: (sids: string[]) => Promise<Set<string>>;
  now: () => number;
  statusCallbackUrl: string | null;
  /**
   * How long after an unanswered attempt (timeout, reset, crash) Twilio may still create its message. Until then
   * an empty list proves nothing, so the send waits instead of going again.
   */
  settleMs: number;
  /**
   * Called once, synchronously, right after the reply is first recorded: what must exist before the reply can go
   * out (its full-reply page) is written in the same step, so no crash can leave one without the other.
   */
  recorded?: (row: OutboxRow) => void;
  /**
   * Called after every await, before the next write: throws once the channel is being deleted (removal.ts), so a
   * reply in flight then writes nothing more.
   */
  fence: () => void;
  /** Called after each step's durable write; a test hook throws here to play a crash at that point. */
  step?: (name: DeliverStep) => void | Promise<void>;
}

/**
 * How far before an attempt's start a Twilio message may be dated and still be that attempt's: Twilio's clock
 * and ours disagree by seconds, not minutes.
 */
export const CLOCK_SKEW_MS = 2 * 60_000;
/** Queue delay before asking again when the outcome could not be decided now. */
const RETRY_S = { ambiguous: 10, listing: 30 } as const;

export async function deliverReply(deps: ReplyDeps, intent: { id: string; turnId: string; to: string; from: string; serviceSid?: string | null; body: string; mediaUrls?: string[] }): Promise<DeliverOutcome> {
  const { ledger } = deps;
  let row = ledger.forTurn(intent.turnId);
  if (!row) {
    row = ledger.record(intent, deps.now());
    deps.recorded?.(row);
  }
  await deps.copy(row);
  await deps.step?.("recorded");
  if (row.state === "sent") return { status: "sent", messageId: row.id, sid: row.sid! };
  if (row.state === "failed") return { status: "failed", messageId: row.id, reason: row.error_code ?? row.error_message ?? "failed" };

  const twilio = await deps.twilio();
  deps.fence();
  if (row.state === "sending") {
    // An earlier attempt may have reached Twilio: adopt its message rather than send another. Through a Messaging
    // Service the sender is whichever pool number Twilio picked, so the list cannot be filtered by From.
    const since = row.attempt_started_at! - CLOCK_SKEW_MS;
    const listed = await twilio.listRecentMessages(row.service_sid ? { To: row.to_addr, createdSince: since } : { To: row.to_addr, From: row.from_addr, createdSince: since });
    await deps.step?.("listed");
    deps.fence();
    if (!listed.ok || !listed.value.complete) {
      const why = listed.ok ? "Twilio's message list was too long to check" : listed.error.message;
      ledger.noteError(row.id, `could not check Twilio for an earlier send: ${why}`, deps.now());
      return { status: "retry", delaySeconds: RETRY_S.listing, reason: `could not check Twilio for an earlier send: ${why}` };
    }
    const candidates = adoptable(ledger, row, listed.value.messages);
    const elsewhere = await deps.heldElsewhere(candidates.map((m) => m.sid));
    deps.fence();
    const found = candidates.find((m) => !elsewhere.has(m.sid));
    if (found) return settleSent(deps, ledger.recordSid(row.id, found.sid, found.status, deps.now(), found.from));
    const wait = row.answered ? 0 : (row.last_attempt_at ?? 0) + deps.settleMs - deps.now();
    if (wait > 0) return { status: "retry", delaySeconds: Math.ceil(wait / 1000), reason: "waiting for Twilio to finish an unanswered attempt before sending again" };
  }

  const optedOut = await deps.optedOut(row.to_addr);
  deps.fence();
  if (optedOut) {
    row = ledger.fail(row.id, "recipient_opted_out", `${row.to_addr} opted out (STOP); textgate does not send to them until they text START.`, deps.now());
    await deps.copy(row);
    return { status: "failed", messageId: row.id, reason: "recipient_opted_out" };
  }
  await deps.step?.("checked");

  row = ledger.startAttempt(row.id, deps.now());
  await deps.step?.("attempting");
  const callback = deps.statusCallbackUrl ? { StatusCallback: deps.statusCallbackUrl } : {};
  const sender = row.service_sid ? { MessagingServiceSid: row.service_sid } : { From: row.from_addr };
  // Body and media as the ledger holds them: every attempt sends exactly what was recorded before the first.
  const media = mediaUrlsOf(row);
  const res = await twilio.sendMessage({ To: row.to_addr, ...sender, Body: row.body, ...callback, ...(media.length ? { MediaUrl: media } : {}) });
  await deps.step?.("answered");
  deps.fence();
  if (res.ok) return settleSent(deps, ledger.recordSid(row.id, res.value.sid, res.value.status, deps.now(), res.value.from));

  const failure = res.error;
  if (isRefusal(failure)) {
    const code = failure.code ? String(failure.code) : `http_${failure.status}`;
    row = ledger.fail(row.id, code, failure.message, deps.now());
    await deps.copy(row);
    return { status: "failed", messageId: row.id, reason: failure.code ? `Twilio error ${failure.code}: ${failure.message}` : failure.message };
  }
  // 5xx, 429, timeout, reset: Twilio may hold the message. The row stays "sending"; the retry reconciles first.
  const reason = `Twilio's answer left the send undecided: ${failure.message}`;
  ledger.noteError(row.id, reason, deps.now(), "status" in failure);
  return { status: "retry", delaySeconds: RETRY_S.ambiguous, reason };
}

/**
 * Twilio refused the message for good: a 4xx other than 429, or bad credentials. A 429 is *not* one: Twilio's
 * rate limiter refuses before creating anything, but a 429 can also come from a proxy in between or a limit
 * applied after acceptance, and a wrong guess here sends a second SMS — so it is reconciled like a 5xx.
 */
function isRefusal(f: TwilioFailure): f is Extract<TwilioFailure, { status: number }> {
  return f.kind === "client" || f.kind === "auth";
}

/**
 * The listed messages that can be this attempt's: created at or after the attempt began (less the clock skew),
 * same To and Body, from the same sender (the number, or any number of the same Messaging Service), and not already
 * another reply's here. Oldest first, so the earliest attempt is the one kept (once another channel's are left out).
 */
function adoptable(ledger: Ledger, row: OutboxRow, listed: ListedMessage[]): ListedMessage[] {
  const since = row.attempt_started_at! - CLOCK_SKEW_MS;
  const service = row.service_sid?.toLowerCase();
  const sameSender = (m: ListedMessage) => (service ? m.messaging_service_sid?.toLowerCase() === service : m.from === row.from_addr);
  return listed
    .filter((m) => m.created >= since && m.to === row.to_addr && sameSender(m) && m.body === row.body && !ledger.sidTaken(m.sid, row.id))
    .sort((a, b) => a.created - b.created);
}

async function settleSent(deps: ReplyDeps, row: OutboxRow): Promise<DeliverOutcome> {
  await deps.step?.("settled");
  await deps.copy(row);
  return { status: "sent", messageId: row.id, sid: row.sid! };
}
