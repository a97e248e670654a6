// Messaging Services in the emulator: Twilio's Messaging API (GET /v1/Services/{Sid}, served from the same port as
// the REST API: point TWILIO_MESSAGING_API_BASE at the emulator), the sender a Messages create with
// MessagingServiceSid gets from the service's Sender Pool, and control routes for tests and local runs to create a
// service or change it as the Twilio console would. Field names follow twilio-oai's messaging_v1 service resource.
import type { ApiContext } from "./api.ts";
import type { ControlContext } from "./control.ts";
import { type Route, json, notFound, route } from "./http.ts";
import { type Account, type EmulatedService, type EmulatorState, hex } from "./state.ts";

/** What a control route may set, as the console would. */
interface ServiceInput {
  friendly_name?: string;
  inbound_request_url?: string | null;
  inbound_method?: "GET" | "POST" | null;
  use_inbound_webhook_on_number?: boolean;
  numbers?: string[];
}

export type SenderPick = { ok: true; from: string; serviceSid: string } | { ok: false; status: number; code: number; message: string };

const find = (state: EmulatorState, accountSid: string, sid: string) => {
  const s = state.services.get(sid.toLowerCase());
  return s && s.account_sid === accountSid ? s : undefined;
};

const resource = (s: EmulatedService) => {
  const { numbers: _pool, ...fields } = s;
  const url = `https://messaging.twilio.com/v1/Services/${s.sid}`;
  return {
    ...fields,
    fallback_url: null,
    fallback_method: "POST",
    status_callback: null,
    sticky_sender: true,
    mms_converter: true,
    smart_encoding: true,
    scan_message_content: "inherit",
    fallback_to_long_code: false,
    area_code_geomatch: true,
    synchronous_validation: true,
    validity_period: 36000,
    usecase: "undeclared",
    us_app_to_person_registered: false,
    url,
    links: { phone_numbers: `${url}/PhoneNumbers`, short_codes: `${url}/ShortCodes`, alpha_senders: `${url}/AlphaSenders` },
  };
};

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

function apply(s: EmulatedService, input: ServiceInput) {
  if (typeof input.friendly_name === "string") s.friendly_name = input.friendly_name;
  if (input.inbound_request_url !== undefined) s.inbound_request_url = input.inbound_request_url;
  if (input.inbound_method !== undefined) s.inbound_method = input.inbound_method;
  if (typeof input.use_inbound_webhook_on_number === "boolean") s.use_inbound_webhook_on_number = input.use_inbound_webhook_on_number;
  if (Array.isArray(input.numbers)) s.numbers = input.numbers.filter((n) => typeof n === "string");
  s.date_updated = now();
}

export const serviceRoutes: Route<ApiContext>[] = [
  route("GET", "/v1/Services/:Sid", ({ state, acct, url }, { Sid }) => {
    const s = find(state, acct.sid, Sid!);
    return s ? json(200, resource(s)) : notFound(url.pathname);
  }),
];

export const serviceControlRoutes: Route<ControlContext>[] = [
  route("POST", "/__fake/accounts/:sid/services", ({ state, body }, { sid }) => {
    const acct = state.accounts.get(sid!);
    if (!acct) return json(404, { error: "no such emulator account" });
    const created = now();
    const s: EmulatedService = {
      sid: `MG${hex(16)}`,
      account_sid: acct.sid,
      friendly_name: "textgate",
      inbound_request_url: null,
      inbound_method: "POST",
      use_inbound_webhook_on_number: true,
      numbers: [],
      date_created: created,
      date_updated: created,
    };
    apply(s, body as ServiceInput);
    state.services.set(s.sid.toLowerCase(), s);
    return json(201, { ...resource(s), numbers: s.numbers });
  }),

  route("POST", "/__fake/accounts/:sid/services/:service", ({ state, body }, { sid, service }) => {
    if (!state.accounts.has(sid!)) return json(404, { error: "no such emulator account" });
    const s = find(state, sid!, service!);
    if (!s) return json(404, { error: "no such service" });
    apply(s, body as ServiceInput);
    return json(200, { ...resource(s), numbers: s.numbers });
  }),
];

/**
 * The sender of a Messages create that names a service, as Twilio picks it: a given From is used as is, else the
 * first SMS-capable number of the Sender Pool (Sticky Sender keeps one number per recipient; here, always the first).
 */
export function pickSender(state: EmulatorState, acct: Account, serviceSid: string, from: string | undefined): SenderPick {
  const s = find(state, acct.sid, serviceSid);
  if (!s) return { ok: false, status: 400, code: 21701, message: `The Messaging Service ${serviceSid} does not exist` };
  if (from) return { ok: true, from, serviceSid: s.sid };
  if (!s.numbers.length) return { ok: false, status: 400, code: 21704, message: "The Messaging Service contains no senders." };
  const capable = s.numbers.find((n) => acct.numbers.some((x) => x.phone_number === n && x.capabilities.sms));
  if (!capable) return { ok: false, status: 400, code: 21703, message: "The Messaging Service does not have a phone number available to send a message." };
  return { ok: true, from: capable, serviceSid: s.sid };
}

/**
 * Where Twilio takes a text to `phone` when a service of the account holds it: to the service's inbound URL, or
 * (`defer`) to the number's own SmsUrl. Either way the webhook names the service (MessagingServiceSid).
 */
export function inboundRoute(state: EmulatorState, accountSid: string, phone: string): { sid: string; defer: boolean; url: string | null } | null {
  const s = [...state.services.values()].find((x) => x.account_sid === accountSid && x.numbers.includes(phone));
  if (!s) return null;
  return { sid: s.sid, defer: s.use_inbound_webhook_on_number, url: s.use_inbound_webhook_on_number ? null : s.inbound_request_url };
}
