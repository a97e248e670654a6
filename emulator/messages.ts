// Messages: the app sends its replies here and lists them to reconcile a send whose answer it never got.
import { type Route, json, route, twilioError } from "./http.ts";
import type { ApiContext } from "./api.ts";
import { magicRefusal } from "./magic-numbers.ts";
import { fetchMediaUrls, refuseMediaUrls } from "./media.ts";
import { pickSender } from "./messaging-services.ts";
import { type Account, type EmulatedMessage, type EmulatorState, hex } from "./state.ts";
import { autoStatus, sendStatus } from "./webhooks.ts";

/** Message create parameters (twilio-oai, api_v2010 CreateMessageRequest). */
const MESSAGE_CREATE_FIELDS = new Set([
  "To", "From", "MessagingServiceSid", "Body", "MediaUrl", "ContentSid", "ContentVariables", "StatusCallback", "ApplicationSid", "MaxPrice", "ProvideFeedback",
  "Attempt", "ValidityPeriod", "ForceDelivery", "ContentRetention", "AddressRetention", "SmartEncoded", "PersistentAction", "TrafficType", "ShortenUrls",
  "ScheduleType", "SendAt", "SendAsMms", "RiskCheck", "FallbackFrom",
]);

const BASE = "/2010-04-01/Accounts/:AccountSid/Messages";

/** The Message resource as Twilio answers it (num_media counts an MMS's media; their URLs are not in it). */
export const messageResource = (acct: Account, { media_urls, ...m }: EmulatedMessage) => ({
  ...m,
  num_media: String(media_urls?.length ?? 0),
  account_sid: acct.sid,
  error_message: null,
});

export function createMessage(state: EmulatorState, acct: Account, form: Record<string, string>, mediaUrls: string[] = []): EmulatedMessage {
  const msg: EmulatedMessage = {
    sid: `${mediaUrls.length ? "MM" : "SM"}${hex(16)}`,
    to: form.To!,
    from: form.From!,
    body: form.Body ?? "",
    status: "queued",
    status_callback: form.StatusCallback ?? null,
    num_segments: "1",
    date_created: new Date().toUTCString(),
    date_sent: null,
    direction: "outbound-api",
    error_code: null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    ...(mediaUrls.length ? { media_urls: mediaUrls } : {}),
  };
  acct.messages.push(msg);
  state.changed();
  if (acct.autoStatus && mediaUrls.length) {
    // Twilio fetches an MMS's media before sending it; media it cannot fetch fail the message (11200).
    void fetchMediaUrls(mediaUrls).then((error) => (error ? void sendStatus(state, acct, msg, "failed", error) : autoStatus(state, acct, msg)));
  } else if (acct.autoStatus) autoStatus(state, acct, msg);
  return msg;
}

/**
 * GET Messages.json as Twilio pages it: To/From filters, newest first, PageSize (default 50, at most 1000),
 * and a next_page_uri carrying Page and PageToken. (DateSent filters are not served: textgate does not use them.)
 */
function listPage(acct: Account, url: URL) {
  const q = url.searchParams;
  const to = q.get("To");
  const from = q.get("From");
  const size = Math.min(1000, Math.max(1, Number(q.get("PageSize") ?? 50) || 50));
  const page = Math.max(0, Number(q.get("Page") ?? 0) || 0);
  const all = acct.messages
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => (!to || m.to === to) && (!from || m.from === from))
    .sort((a, b) => Date.parse(b.m.date_created) - Date.parse(a.m.date_created) || b.i - a.i)
    .map(({ m }) => m);
  const slice = all.slice(page * size, (page + 1) * size);
  const base = `/2010-04-01/Accounts/${acct.sid}/Messages.json`;
  const uri = (p: number, token?: string) => {
    const u = new URLSearchParams();
    if (to) u.set("To", to);
    if (from) u.set("From", from);
    u.set("PageSize", String(size));
    u.set("Page", String(p));
    if (token) u.set("PageToken", token);
    return `${base}?${u}`;
  };
  const last = slice.at(-1);
  return {
    messages: slice.map((m) => ({ ...messageResource(acct, m), uri: `${base.replace(".json", "")}/${m.sid}.json` })),
    page,
    page_size: size,
    start: page * size,
    end: page * size + Math.max(0, slice.length - 1),
    uri: uri(page),
    first_page_uri: uri(0),
    previous_page_uri: page > 0 ? uri(page - 1) : null,
    next_page_uri: (page + 1) * size < all.length && last ? uri(page + 1, `PA${last.sid}`) : null,
  };
}

export const messageRoutes: Route<ApiContext>[] = [
  route("GET", `${BASE}.json`, ({ acct, url }) => json(200, listPage(acct, url))),

  route("POST", `${BASE}.json`, ({ state, acct, form, mediaUrls, url, unexpected }) => {
    // Only the parameters Twilio documents; anything else is our bug, said loudly.
    const unknown = Object.keys(form).filter((k) => !MESSAGE_CREATE_FIELDS.has(k));
    if (unknown.length) {
      unexpected(`POST ${url.pathname} with ${unknown.join(", ")}`);
      return twilioError(400, 20001, `Unknown parameters: ${unknown.join(", ")}`);
    }
    const mediaRefused = refuseMediaUrls(mediaUrls);
    if (mediaRefused) return twilioError(400, ...mediaRefused);
    if (!form.To || (!form.From && !form.MessagingServiceSid)) return twilioError(400, 21604, "A 'To' phone number and a 'From' or 'MessagingServiceSid' are required.");
    if (!form.Body && !mediaUrls.length) return twilioError(400, 21619, "A text message body or media urls must be specified.");
    if (form.From && !acct.numbers.some((n) => n.phone_number === form.From)) {
      return twilioError(400, 21606, `The From phone number ${form.From} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    // With a Messaging Service, the sender is From as given or one picked from the service's pool.
    const sender = form.MessagingServiceSid ? pickSender(state, acct, form.MessagingServiceSid, form.From) : null;
    if (sender && !sender.ok) return twilioError(sender.status, sender.code, sender.message);
    const refused = magicRefusal(form.To);
    if (refused) return twilioError(refused.status, refused.code, refused.message);
    const fields = sender?.ok ? { ...form, From: sender.from, MessagingServiceSid: sender.serviceSid } : form;
    return json(201, messageResource(acct, createMessage(state, acct, fields, mediaUrls)));
  }),
];
