// Reads the deployment's settings from the Worker env. A missing or malformed required setting is an AppError that
// names the setting and says how to set it, so an operator sees a sentence instead of a stack trace.
import { AppError } from "./errors";

export interface TwilioDefaults {
  account_sid: string | undefined;
  auth_token: string | undefined;
  from_number: string | undefined;
}

const blank = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

export function required(env: Env, name: "ADMIN_TOKEN" | "ENCRYPTION_KEY"): string {
  const value = blank((env as unknown as Record<string, unknown>)[name]);
  if (!value) {
    throw new AppError(500, "config_missing", `${name} is not set. Set it with \`wrangler secret put ${name}\` (or in .dev.vars for local runs).`, { setting: name });
  }
  return value;
}

type ExternalUrl = { ok: true; url: string } | { ok: false; reason: string };
/** The last setting checked and its answer: every webhook asks, and the setting only changes with a deploy. */
let checked: { raw: string | undefined; result: ExternalUrl } | undefined;

/** The public base URL without a trailing slash, or a reason it cannot be used for Twilio webhooks. */
export function externalUrl(env: Env): ExternalUrl {
  const raw = blank(env.SERVER_EXTERNAL_URL);
  if (!checked || checked.raw !== raw) checked = { raw, result: checkExternalUrl(raw) };
  return checked.result;
}

function checkExternalUrl(raw: string | undefined): ExternalUrl {
  if (!raw) return { ok: false, reason: "SERVER_EXTERNAL_URL is not set: Twilio needs a public https URL to send webhooks to." };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `SERVER_EXTERNAL_URL (${raw}) is not a valid URL.` };
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    return { ok: false, reason: `SERVER_EXTERNAL_URL (${raw}) must use https (plain http is accepted for localhost only).` };
  }
  if (url.search || url.hash) return { ok: false, reason: `SERVER_EXTERNAL_URL (${raw}) must not have a query or fragment.` };
  return { ok: true, url: url.origin + url.pathname.replace(/\/+$/, "") };
}

export function twilioApiBase(env: Env): string {
  return (blank(env.TWILIO_API_BASE) ?? "https://api.twilio.com").replace(/\/+$/, "");
}

/** Twilio's Messaging API (messaging.twilio.com), where Messaging Services live. */
export function twilioMessagingApiBase(env: Env): string {
  return (blank(env.TWILIO_MESSAGING_API_BASE) ?? "https://messaging.twilio.com").replace(/\/+$/, "");
}

/** MAX_TURNS_PER_SENDER_PER_HOUR: a positive whole number, 30 unless set to one. */
export function maxTurnsPerSenderPerHour(env: Env): number {
  const n = Number(blank(env.MAX_TURNS_PER_SENDER_PER_HOUR) ?? 30);
  return Number.isInteger(n) && n > 0 ? n : 30;
}

export function twilioDefaults(env: Env): TwilioDefaults {
  return {
    account_sid: blank(env.VOICE_TWILIO_ACCOUNT_SID),
    auth_token: blank(env.VOICE_TWILIO_AUTH_TOKEN),
    from_number: blank(env.VOICE_TWILIO_FROM_NUMBER),
  };
}

const DAY_MS = 24 * 3600_000;

/** How long traffic (messages, turns, watches, signals) is kept: RETENTION_DAYS, 30 unless set to a positive number. */
export function retentionMs(env: Env): number {
  const days = Number(blank(env.RETENTION_DAYS) ?? 30);
  return (Number.isFinite(days) && days > 0 ? days : 30) * DAY_MS;
}

/** Signals and signal watches are kept a day at most: the longest lookback is a day, and a watch waits less. */
export function signalRetentionMs(env: Env): number {
  return Math.min(retentionMs(env), DAY_MS);
}

/** MAX_REPLY_SEGMENTS: the most segments one reply may cost; undefined (unset or not a positive integer): no limit but Twilio's 1 600 characters. */
export function maxReplySegments(env: Env): number | undefined {
  const n = Number(blank(env.MAX_REPLY_SEGMENTS));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** MEDIA_DELETE_FROM_TWILIO: "true" deletes Twilio's copy of an inbound MMS item once it is stored here. */
export const mediaDeleteFromTwilio = (env: Env): boolean => blank(env.MEDIA_DELETE_FROM_TWILIO)?.toLowerCase() === "true";
