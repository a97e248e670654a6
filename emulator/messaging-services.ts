// Messaging Services in the emulator: Twilio's Messaging API (GET /v1/Services/{Sid}, served from the same port as
// the REST API: point TWILIO_MESSAGING_API_BASE at the emulator), the sender a Messages create with
// MessagingServiceSid gets from the service's Sender Pool, and control routes for tests and local runs to create a
// service or change it as the Twilio console would. Field names follow twilio-oai's messaging_v1 service resource.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

interface ServiceAccount {
  sid: string;
  token: string;
  numbers: { sid: string; phone_number: string; capabilities: { sms: boolean } }[];
  requests: { method: string; path: string; form: Record<string, string> }[];
}

export interface FakeService {
  sid: string;
  account_sid: string;
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: "GET" | "POST" | null;
  use_inbound_webhook_on_number: boolean;
  /** The Sender Pool: phone numbers (E.164) of the account, in the order they were added. */
  numbers: string[];
  date_created: string;
  date_updated: string;
}

/** What a control route may set, as the console would. */
interface ServiceInput {
  friendly_name?: string;
  inbound_request_url?: string | null;
  inbound_method?: "GET" | "POST" | null;
  use_inbound_webhook_on_number?: boolean;
  numbers?: string[];
}

export type SenderPick = { ok: true; from: string; serviceSid: string } | { ok: false; status: number; code: number; message: string };

const SERVICE_PATH = /^\/v1\/Services\/(MG[0-9a-fA-F]{32})$/;
const CONTROL_PATH = /^\/__fake\/accounts\/([^/]+)\/services(?:\/(MG[0-9a-fA-F]{32}))?$/;

export function messagingServices(accounts: ReadonlyMap<string, ServiceAccount>) {
  /** Keyed by the lowercase SID: Twilio answers a SID whatever the case of its hex. */
  const services = new Map<string, FakeService>();
  const find = (accountSid: string, sid: string) => {
    const s = services.get(sid.toLowerCase());
    return s && s.account_sid === accountSid ? s : undefined;
  };

  const resource = (s: FakeService) => {
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

  function apply(s: FakeService, input: ServiceInput) {
    if (typeof input.friendly_name === "string") s.friendly_name = input.friendly_name;
    if (input.inbound_request_url !== undefined) s.inbound_request_url = input.inbound_request_url;
    if (input.inbound_method !== undefined) s.inbound_method = input.inbound_method;
    if (typeof input.use_inbound_webhook_on_number === "boolean") s.use_inbound_webhook_on_number = input.use_inbound_webhook_on_number;
    if (Array.isArray(input.numbers)) s.numbers = input.numbers.filter((n) => typeof n === "string");
    s.date_updated = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const notFound = (path: string) => ({ code: 20404, message: `The requested resource ${path} was not found`, more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });

  /** Answers the Messaging API and the services' control routes; false for anything else. */
  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<boolean> {
    const control = CONTROL_PATH.exec(url.pathname);
    if (control && req.method === "POST") {
      const acct = accounts.get(decodeURIComponent(control[1]!));
      if (!acct) return send(res, 404, { error: "no such fake account" }), true;
      const input: ServiceInput = raw ? JSON.parse(raw) : {};
      if (control[2]) {
        const s = find(acct.sid, control[2]);
        if (!s) return send(res, 404, { error: "no such service" }), true;
        apply(s, input);
        return send(res, 200, { ...resource(s), numbers: s.numbers }), true;
      }
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const s: FakeService = {
        sid: `MG${randomBytes(16).toString("hex")}`,
        account_sid: acct.sid,
        friendly_name: "textgate",
        inbound_request_url: null,
        inbound_method: "POST",
        use_inbound_webhook_on_number: true,
        numbers: [],
        date_created: now,
        date_updated: now,
      };
      apply(s, input);
      services.set(s.sid.toLowerCase(), s);
      return send(res, 201, { ...resource(s), numbers: s.numbers }), true;
    }

    const api = SERVICE_PATH.exec(url.pathname);
    if (!api || req.method !== "GET") return false;
    const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const acct = accounts.get(auth.slice(0, auth.indexOf(":")));
    if (!acct || auth.slice(auth.indexOf(":") + 1) !== acct.token) {
      return send(res, 401, { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 }), true;
    }
    acct.requests.push({ method: "GET", path: url.pathname, form: {} });
    const s = find(acct.sid, api[1]!);
    return send(res, s ? 200 : 404, s ? resource(s) : notFound(url.pathname)), true;
  }

  /**
   * The sender of a Messages create that names a service, as Twilio picks it: a given From is used as is, else the
   * first SMS-capable number of the Sender Pool (Sticky Sender keeps one number per recipient; here, always the first).
   */
  function sender(acct: ServiceAccount, serviceSid: string, from: string | undefined): SenderPick {
    const s = find(acct.sid, serviceSid);
    if (!s) return { ok: false, status: 400, code: 21701, message: `The Messaging Service ${serviceSid} does not exist` };
    if (from) return { ok: true, from, serviceSid: s.sid };
    if (!s.numbers.length) return { ok: false, status: 400, code: 21704, message: "The Messaging Service contains no senders." };
    const capable = s.numbers.find((n) => acct.numbers.some((x) => x.phone_number === n && x.capabilities.sms));
    if (!capable) return { ok: false, status: 400, code: 21703, message: "The Messaging Service does not have a phone number available to send a message." };
    return { ok: true, from: capable, serviceSid: s.sid };
  }

  return { handle, sender, services };
}
