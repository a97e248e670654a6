// The webhooks the emulator sends to the app, signed as Twilio signs them (X-Twilio-Signature): an inbound text to
// a number's SmsUrl (an MMS when it has media), and status callbacks for the messages the app sent.
import { randomBytes } from "node:crypto";
import twilioWebhooks from "twilio/lib/webhooks/webhooks.js";
import { addMedia, cdnPaths, type MediaInput } from "./media.ts";
import { inboundRoute } from "./messaging-services.ts";
import { type Account, type EmulatedMessage, type EmulatorState, hex } from "./state.ts";

export interface InboundResult {
  /** The app's HTTP status; 0 when nothing was sent (no SmsUrl) or the app could not be reached. */
  status: number;
  body: string;
  message_sid: string;
  /** The emulator's CDN paths of the text's media (the phone page shows them). */
  media: string[];
}

export type InboundInput = { from: string; to?: string; body: string; media?: MediaInput[] };

/** Posts a form to `url` signed with `token` exactly as Twilio does (X-Twilio-Signature). */
export async function postSigned(url: string, token: string, params: Record<string, string>) {
  const signature = twilioWebhooks.getExpectedTwilioSignature(token, url, params);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature, "i-twilio-idempotency-token": randomBytes(8).toString("hex") },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * Texts the account's number (`to`, or its first) from `from`, as Twilio would: a signed webhook to its SmsUrl, or,
 * when a Messaging Service holds the number and does not defer to it, to the service's inbound URL (or nowhere).
 * With `media`, an MMS whose media the emulator serves (media.ts).
 */
export async function sendInbound(state: EmulatorState, sid: string, msg: InboundInput): Promise<InboundResult> {
  const acct = state.accounts.get(sid);
  if (!acct) throw new Error(`no emulator account ${sid}`);
  const number = acct.numbers.find((n) => n.phone_number === (msg.to ?? acct.numbers[0]?.phone_number));
  const service = number ? inboundRoute(state, acct.sid, number.phone_number) : null;
  const taken = service && !service.defer;
  if (taken && !service.url) return { status: 0, body: `Messaging Service ${service.sid} has no inbound URL and does not defer to the number's webhook: Twilio drops the text`, message_sid: "", media: [] };
  if (!taken && number?.sms_application_sid) return { status: 0, body: `the number's texts go to TwiML App ${number.sms_application_sid}, not its SmsUrl`, message_sid: "", media: [] };
  const url = taken ? service.url : number?.sms_url;
  if (!number || !url) return { status: 0, body: "the number has no SmsUrl: add a channel for it first", message_sid: "", media: [] };
  const messageSid = `${msg.media?.length ? "MM" : "SM"}${hex(16)}`;
  const media = msg.media?.length ? addMedia(state, acct, messageSid, msg.media) : {};
  const params: Record<string, string> = {
    ToCountry: "US", SmsMessageSid: messageSid, NumMedia: "0", SmsSid: messageSid, SmsStatus: "received", Body: msg.body, To: number.phone_number,
    NumSegments: "1", MessageSid: messageSid, AccountSid: acct.sid, From: msg.from, ApiVersion: "2010-04-01", ...media,
  };
  if (service) params.MessagingServiceSid = service.sid;
  return { ...(await postSigned(url, acct.token, params)), message_sid: messageSid, media: cdnPaths(media) };
}

/** Moves `m` to `status` and posts its StatusCallback, if it has one. */
export async function sendStatus(state: EmulatorState, acct: Account, m: EmulatedMessage, status: string, errorCode?: string) {
  m.status = status;
  if (errorCode) m.error_code = Number(errorCode);
  if (status === "sent" || status === "delivered") m.date_sent ??= new Date().toUTCString();
  state.changed();
  if (!m.status_callback) return { status: 0, body: "no StatusCallback" };
  const params: Record<string, string> = { MessageSid: m.sid, SmsSid: m.sid, AccountSid: acct.sid, From: m.from, To: m.to, MessageStatus: status, SmsStatus: status, ApiVersion: "2010-04-01" };
  if (errorCode) params.ErrorCode = errorCode;
  return postSigned(m.status_callback, acct.token, params).catch((e) => ({ status: 0, body: String(e) }));
}

/** Emulator mode (`auto_status`): the message goes sent, then delivered, a moment apart, as a real one would. */
export function autoStatus(state: EmulatorState, acct: Account, m: EmulatedMessage) {
  setTimeout(() => void sendStatus(state, acct, m, "sent").then(() => setTimeout(() => void sendStatus(state, acct, m, "delivered"), 300)), 150);
}
