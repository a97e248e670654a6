// The checks behind a channel's diagnostics, as pure functions of what was read (the number from Twilio, counts
// from D1, recent signature failures), so each ok/warn/fail sentence is decided in one place. The channel object
// gathers the facts (src/channel/health.ts); the API and the settings page show the same list.
import { judgeService } from "./messaging-service";
import { describeFailure } from "./registration";
import type { IncomingNumber, MessagingService, TwilioResult } from "./rest";
import type { SignatureDiagnosis } from "./signature-diagnosis";
import { urlVariants } from "./signature";

export type CheckId = "credentials" | "sms_url" | "messaging_service" | "signature" | "status_callbacks" | "inbound";
export type CheckStatus = "ok" | "warn" | "fail";

export interface HealthCheck {
  id: CheckId;
  status: CheckStatus;
  message: string;
  hint: string | null;
}

export interface HealthReport {
  checked_at: string;
  checks: HealthCheck[];
}

const check = (id: CheckId, status: CheckStatus, message: string, hint: string | null = null): HealthCheck => ({ id, status, message, hint });

export interface ChannelFacts {
  channelId: string;
  accountSid: string;
  fromNumber: string;
  status: "registering" | "pairing" | "connected" | "failed" | "disconnected";
  webhookUrl: string | null;
  statusCallbackUrl: string | null;
}

/** One read of the number answers both: do the credentials work, and where do its texts go. */
export function credentialsCheck(ch: ChannelFacts, read: TwilioResult<IncomingNumber | null>): HealthCheck {
  if (read.ok || (read.error.kind === "client" && read.error.status === 404)) return check("credentials", "ok", `Twilio accepted the credentials for account ${ch.accountSid}.`);
  const why = describeFailure(read.error, ch.accountSid);
  if (read.error.kind === "auth") return check("credentials", "fail", why.message, "Save the account's current Auth Token in Twilio settings; the number is registered again.");
  return check("credentials", "warn", why.message, "Checked again within the hour, or when this page is opened.");
}

const repair = (ch: ChannelFacts) => `Point it back (POST /api/channels/${ch.channelId}/connect) to receive texts here again.`;

export function smsUrlCheck(ch: ChannelFacts, read: TwilioResult<IncomingNumber | null>, pointsAt: { id: string; handle: string } | null): HealthCheck {
  if (ch.status === "disconnected") return check("sms_url", "ok", "The channel is disconnected: its number is not expected to send texts here.");
  if (!ch.webhookUrl) return check("sms_url", "fail", "SERVER_EXTERNAL_URL is not set to a valid https URL, so the number cannot point here.", "Set SERVER_EXTERNAL_URL, then connect the channel.");
  if (!read.ok) {
    if (read.error.kind === "client" && read.error.status === 404) return check("sms_url", "fail", `${ch.fromNumber} is no longer in Twilio account ${ch.accountSid}.`, "Give the channel a number the account has.");
    return check("sms_url", "warn", "Not checked: Twilio could not be asked about the number (see credentials).");
  }
  const n = read.value;
  if (!n) return check("sms_url", "fail", `${ch.fromNumber} is no longer in Twilio account ${ch.accountSid}.`, "Give the channel a number the account has.");
  if (n.sms_application_sid) {
    return check("sms_url", "fail", `SmsApplicationSid ${n.sms_application_sid} on the number overrides its SmsUrl: Twilio sends its texts to that TwiML App, not here.`, `${repair(ch)} That detaches the app.`);
  }
  const found = n.sms_url ?? "";
  if (!urlVariants(ch.webhookUrl).includes(found)) {
    const whose = pointsAt ? ` (channel ${pointsAt.handle} (${pointsAt.id}))` : "";
    return check("sms_url", "warn", `The number's SmsUrl is ${found || "empty"}${whose}, not this channel's webhook ${ch.webhookUrl}.`, repair(ch));
  }
  if ((n.sms_method ?? "POST").toUpperCase() !== "POST") return check("sms_url", "warn", `The number's SmsMethod is ${n.sms_method}; textgate takes texts by POST.`, repair(ch));
  return check("sms_url", "ok", "The number's SmsUrl is this channel's webhook (POST).");
}

/** A channel's Messaging Service decides where texts to its numbers go: to the number's webhook, or its own URL. */
export function messagingServiceCheck(ch: ChannelFacts, sid: string | null, read: TwilioResult<MessagingService> | null): HealthCheck {
  if (!sid || !read) return check("messaging_service", "ok", "No Messaging Service configured.");
  const v = judgeService(read, sid, ch.accountSid, ch.webhookUrl);
  if (v.status === "ok") return check("messaging_service", "ok", v.message);
  if (v.status === "fail") return check("messaging_service", "fail", v.message, v.hint);
  const why = describeFailure(v.error, ch.accountSid);
  if (v.error.kind === "auth") return check("messaging_service", "fail", `Messaging Service ${sid} could not be read: ${why.message}`, "Save the account's current Auth Token in Twilio settings.");
  return check("messaging_service", "warn", `Messaging Service ${sid} could not be read: ${why.message}`, "Checked again within the hour, or when this page is opened.");
}

export interface SignatureFailure {
  at: number;
  diagnosis: SignatureDiagnosis;
}

const refused = (n: number, since: number) => `${n} webhook${n === 1 ? " was" : "s were"} refused (403) since ${new Date(since).toISOString()}; nothing from ${n === 1 ? "it" : "them"} was stored.`;

/** Recent failures, newest first. The newest signed one decides the sentence; unsigned ones alone only warn. */
export function signatureCheck(failures: SignatureFailure[]): HealthCheck {
  if (!failures.length) return check("signature", "ok", "No webhook was refused for its signature in the last 24 hours.");
  const since = failures.at(-1)!.at;
  const signed = failures.map((f) => f.diagnosis).filter((d) => d.kind !== "unsigned");
  const mismatch = signed.find((d) => d.kind === "url_mismatch");
  const d = mismatch ?? signed[0];
  if (!d) return check("signature", "warn", `${failures.length} request${failures.length === 1 ? "" : "s"} without X-Twilio-Signature ${failures.length === 1 ? "was" : "were"} refused: not sent by Twilio.`);
  switch (d.kind) {
    case "url_mismatch":
      return check("signature", "fail", `Twilio signed ${d.signedUrl}; SERVER_EXTERNAL_URL gives ${d.expectedUrl}: set SERVER_EXTERNAL_URL to ${d.externalUrl}`, refused(failures.length, since));
    case "no_external_url":
      return check("signature", "fail", "Webhooks cannot be verified: SERVER_EXTERNAL_URL is not set to a valid URL.", refused(failures.length, since));
    default:
      return check(
        "signature",
        "fail",
        `Signed webhooks match neither the URL they reached nor SERVER_EXTERNAL_URL (${d.expectedUrl}): the auth token probably changed.`,
        `${refused(failures.length, since)} Save the account's current Auth Token in Twilio settings.`,
      );
  }
}

export function statusCallbacksCheck(ch: ChannelFacts, sent: { total: number; missing: number; latestMissing: string | null }): HealthCheck {
  if (sent.total === 0) return check("status_callbacks", "ok", "No replies were sent between ten minutes and a day ago.");
  if (sent.missing === 0) return check("status_callbacks", "ok", `All ${sent.total} replies sent in the last day got a status callback.`);
  return check(
    "status_callbacks",
    "warn",
    `${sent.missing} of ${sent.total} replies sent between ten minutes and a day ago got no status callback (latest ${sent.latestMissing}).`,
    `Twilio posts them to ${ch.statusCallbackUrl ?? "the status callback URL"}: check that it reaches this server and the signature check above.`,
  );
}

export function inboundCheck(lastAt: number | null): HealthCheck {
  if (lastAt === null) return check("inbound", "warn", "No text has arrived yet.", "Text the number from a phone; it shows here within seconds.");
  return check("inbound", "ok", `The last text arrived at ${new Date(lastAt).toISOString()}.`);
}
