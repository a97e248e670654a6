// A channel that sends through a Messaging Service (US A2P 10DLC needs one) also receives through it: the service
// decides where texts to its numbers go. It either defers to each number's own webhook (use_inbound_webhook_on_number)
// or posts them to its own inbound_request_url. Registration and the messaging_service diagnostic both judge the
// service read from Twilio here, so they say the same sentence and the same console setting to change.
import type { MessagingService, TwilioFailure, TwilioResult } from "./rest";
import { urlVariants } from "./signature";

/** "unread": Twilio could not be asked (credentials, network); the caller says that in its own words. */
export type ServiceVerdict =
  | { status: "ok"; message: string }
  | { status: "fail"; code: "messaging_service_not_found" | "messaging_service_inbound"; message: string; hint: string }
  | { status: "unread"; error: TwilioFailure };

const CONSOLE = (svc: string, hook: string | null) =>
  `In the Twilio Console open Messaging → Services → ${svc} → Integration and choose "Defer to sender's webhook"` +
  (hook ? ` (or "Send a webhook" with ${hook}, HTTP POST).` : ".");

/** What the service read from Twilio means for this channel's texts (`webhookUrl`: the channel's SmsUrl). */
export function judgeService(read: TwilioResult<MessagingService>, sid: string, accountSid: string, webhookUrl: string | null): ServiceVerdict {
  if (!read.ok) {
    const e = read.error;
    if (e.kind === "client" && e.status === 404) {
      return {
        status: "fail",
        code: "messaging_service_not_found",
        message: `Messaging Service ${sid}: no such Messaging Service in this account (${accountSid}).`,
        hint: "Copy the service's SID (MG…) from the Twilio Console (Messaging → Services) into the channel's Twilio settings, or clear the field to send from the number itself.",
      };
    }
    return { status: "unread", error: e };
  }
  const svc = read.value;
  const name = svc.friendly_name ? `${svc.friendly_name} (${svc.sid})` : svc.sid;
  if (svc.use_inbound_webhook_on_number) return { status: "ok", message: `Messaging Service ${name} defers incoming texts to the number's own webhook; replies go out through it.` };
  const url = svc.inbound_request_url;
  const ours = !!url && !!webhookUrl && urlVariants(webhookUrl).includes(url);
  if (ours && (svc.inbound_method ?? "POST").toUpperCase() === "POST") return { status: "ok", message: `Messaging Service ${name} sends incoming texts to this channel's webhook; replies go out through it.` };
  const found = !url
    ? `has no inbound URL and does not defer to the number's webhook, so Twilio drops texts to its numbers`
    : ours
      ? `sends incoming texts here by ${svc.inbound_method}, but textgate takes them by POST`
      : `sends incoming texts to ${url}, not to this channel's webhook ${webhookUrl ?? "(SERVER_EXTERNAL_URL is not set)"}`;
  return { status: "fail", code: "messaging_service_inbound", message: `Messaging Service ${name} ${found}.`, hint: CONSOLE(svc.friendly_name ?? svc.sid, webhookUrl) };
}
