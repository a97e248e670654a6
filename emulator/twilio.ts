// The local Twilio emulator: `npm start` runs it beside the app (with its /phone page), and the tests run it as their
// fake Twilio (vitest.config.ts). It answers the endpoints textgate uses the way Twilio does — Basic auth, JSON bodies, Twilio's error shape {code,message,more_info,status} — keeps state
// per account so parallel test files don't collide, and records every request. Anything it does not know is
// answered 404 and recorded under `unexpected`, so a test can fail loudly on it. Control routes live under /__fake.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import twilioWebhooks from "twilio/lib/webhooks/webhooks.js";
import { magicRefusal } from "./magic-numbers.ts";
import { messagingServices } from "./messaging-services.ts";
import { phoneRoutes } from "./phone.ts";

interface FakeNumber {
  sid: string;
  phone_number: string;
  capabilities: { sms: boolean; mms: boolean; voice: boolean };
  sms_url: string;
  sms_method: string;
  /** A TwiML App handling the number's texts: when set, Twilio ignores sms_url. "" when none, as Twilio answers. */
  sms_application_sid: string;
}
interface FakeMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  status_callback: string | null;
  num_segments: string;
  date_created: string;
  date_sent: string | null;
  direction: string;
  /** Set by a failed or undelivered status (the ErrorCode its callback carried), as Twilio's Message resource has it. */
  error_code: number | null;
  /** The Messaging Service it was sent through (MessagingServiceSid), else null. */
  messaging_service_sid: string | null;
}
interface Fault {
  match: string;
  method?: string;
  after?: boolean;
  status?: number;
  code?: number;
  message?: string;
  drop?: boolean;
  delay_ms?: number;
  /** Messages.json POST: status callbacks Twilio posts before its answer to the create reaches the caller. */
  callbacks_first?: string[];
  /** Messages.json POST: create the message, then take this long to answer (a slow answer after acceptance). */
  hold_ms?: number;
  /** Answer this raw body (with `status`, default 200) instead: a malformed or surprising answer. */
  body?: string;
  times: number;
}
interface Account {
  sid: string;
  token: string;
  /** Emulator mode: send status callbacks (sent, then delivered) by itself after each message. */
  autoStatus: boolean;
  numbers: FakeNumber[];
  messages: FakeMessage[];
  requests: { method: string; path: string; form: Record<string, string> }[];
  faults: Fault[];
}

/** IncomingPhoneNumber update parameters (twilio-oai, api_v2010 UpdateIncomingPhoneNumberRequest). */
const NUMBER_UPDATE_FIELDS = new Set([
  "AccountSid", "ApiVersion", "FriendlyName", "SmsApplicationSid", "SmsFallbackMethod", "SmsFallbackUrl", "SmsMethod", "SmsUrl",
  "StatusCallback", "StatusCallbackMethod", "VoiceApplicationSid", "VoiceCallerIdLookup", "VoiceFallbackMethod", "VoiceFallbackUrl",
  "VoiceMethod", "VoiceUrl", "EmergencyStatus", "EmergencyAddressSid", "TrunkSid", "VoiceReceiveMode", "IdentitySid", "AddressSid", "BundleSid",
]);
/** Message create parameters (twilio-oai, api_v2010 CreateMessageRequest). */
const MESSAGE_CREATE_FIELDS = new Set([
  "To", "From", "MessagingServiceSid", "Body", "MediaUrl", "ContentSid", "ContentVariables", "StatusCallback", "ApplicationSid", "MaxPrice", "ProvideFeedback",
  "Attempt", "ValidityPeriod", "ForceDelivery", "ContentRetention", "AddressRetention", "SmartEncoded", "PersistentAction", "TrafficType", "ShortenUrls",
  "ScheduleType", "SendAt", "SendAsMms", "RiskCheck", "FallbackFrom",
]);
const hex = (n: number) => randomBytes(n).toString("hex");
const err = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

export interface AccountInput {
  sid?: string;
  token?: string;
  numbers?: { phone_number: string; sms?: boolean }[];
  auto_status?: boolean;
}

export interface FakeTwilio {
  url: string;
  server: Server;
  accounts: Map<string, Account>;
  unexpected: string[];
  addAccount(input: AccountInput): Account;
  /** Texts the account's number as `from` would: a signed webhook to the number's SmsUrl. */
  sendInbound(sid: string, msg: { from: string; to?: string; body: string }): Promise<{ status: number; body: string; message_sid: string }>;
  close(): Promise<void>;
}

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

export async function startFakeTwilio(port = 0, opts: { host?: string } = {}): Promise<FakeTwilio> {
  const accounts = new Map<string, Account>();
  const unexpected: string[] = [];

  function addAccount(input: AccountInput): Account {
    const acct: Account = {
      sid: input.sid ?? `AC${hex(16)}`,
      token: input.token ?? hex(16),
      autoStatus: input.auto_status ?? false,
      numbers: (input.numbers ?? []).map((n) => ({
        sid: `PN${hex(16)}`,
        phone_number: n.phone_number,
        capabilities: { sms: n.sms ?? true, mms: n.sms ?? true, voice: true },
        sms_url: "",
        sms_method: "POST",
        sms_application_sid: "",
      })),
      messages: [],
      requests: [],
      faults: [],
    };
    accounts.set(acct.sid, acct);
    return acct;
  }

  async function sendInbound(sid: string, msg: { from: string; to?: string; body: string }) {
    const acct = accounts.get(sid);
    if (!acct) throw new Error(`no fake account ${sid}`);
    const number = acct.numbers.find((n) => n.phone_number === (msg.to ?? acct.numbers[0]?.phone_number));
    if (number?.sms_application_sid) return { status: 0, body: `the number's texts go to TwiML App ${number.sms_application_sid}, not its SmsUrl`, message_sid: "" };
    if (!number?.sms_url) return { status: 0, body: "the number has no SmsUrl: add a channel for it first", message_sid: "" };
    const messageSid = `SM${hex(16)}`;
    const params = { ToCountry: "US", SmsMessageSid: messageSid, NumMedia: "0", SmsSid: messageSid, SmsStatus: "received", Body: msg.body, To: number.phone_number, NumSegments: "1", MessageSid: messageSid, AccountSid: acct.sid, From: msg.from, ApiVersion: "2010-04-01" };
    return { ...(await postSigned(number.sms_url, acct.token, params)), message_sid: messageSid };
  }

  async function sendStatus(acct: Account, m: FakeMessage, status: string, errorCode?: string) {
    m.status = status;
    if (errorCode) m.error_code = Number(errorCode);
    if (status === "sent" || status === "delivered") m.date_sent ??= new Date().toUTCString();
    if (!m.status_callback) return { status: 0, body: "no StatusCallback" };
    const params: Record<string, string> = { MessageSid: m.sid, SmsSid: m.sid, AccountSid: acct.sid, From: m.from, To: m.to, MessageStatus: status, SmsStatus: status, ApiVersion: "2010-04-01" };
    if (errorCode) params.ErrorCode = errorCode;
    return postSigned(m.status_callback, acct.token, params).catch((e) => ({ status: 0, body: String(e) }));
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (c) => (data += c));
      req.on("end", () => resolve(data));
    });

  async function control(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
    const json = raw ? JSON.parse(raw) : {};
    const parts = url.pathname.split("/").filter(Boolean); // ["__fake", ...]
    if (req.method === "POST" && parts[1] === "accounts" && parts.length === 2) {
      const acct = addAccount(json);
      return send(res, 201, { sid: acct.sid, token: acct.token, numbers: acct.numbers });
    }
    const acct = parts[2] ? accounts.get(parts[2]) : undefined;
    if (!acct) return send(res, 404, { error: "no such fake account" });
    const what = parts[3];
    if (req.method === "GET" && what === "state") return send(res, 200, { numbers: acct.numbers, messages: acct.messages, requests: acct.requests });
    if (req.method === "POST" && what === "faults") {
      acct.faults.push({ times: 1, ...json });
      return send(res, 201, { faults: acct.faults.length });
    }
    // Someone changes the number "elsewhere" (the Twilio console, another app): not an API request of ours.
    if (req.method === "POST" && what === "numbers" && parts[4]) {
      const n = acct.numbers.find((x) => x.sid === parts[4] || x.phone_number === decodeURIComponent(parts[4]!));
      if (!n) return send(res, 404, { error: "no such number" });
      for (const key of ["sms_url", "sms_method", "sms_application_sid"] as const) if (typeof json[key] === "string") n[key] = json[key];
      return send(res, 200, n);
    }
    if (req.method === "POST" && what === "inbound") return send(res, 200, await sendInbound(acct.sid, json));
    // An outbound message created earlier (e.g. the same reply text an hour ago), for reconciliation tests.
    if (req.method === "POST" && what === "messages" && !parts[4]) {
      const created = new Date(Date.now() - (json.age_ms ?? 0)).toUTCString();
      const m: FakeMessage = { sid: `SM${hex(16)}`, to: json.to, from: json.from, body: json.body, status: json.status ?? "delivered", status_callback: null, num_segments: "1", date_created: created, date_sent: created, direction: "outbound-api", error_code: null, messaging_service_sid: json.messaging_service_sid ?? null };
      acct.messages.push(m);
      return send(res, 201, m);
    }
    if (req.method === "POST" && what === "messages" && parts[4] && parts[5] === "status") {
      const m = acct.messages.find((x) => x.sid === parts[4]);
      if (!m) return send(res, 404, { error: "no such message" });
      return send(res, 200, await sendStatus(acct, m, json.status, json.error_code));
    }
    return send(res, 404, { error: "unknown control route" });
  }

  function handleCreate(acct: Account, form: Record<string, string>): FakeMessage {
    const msg: FakeMessage = {
      sid: `SM${hex(16)}`,
      to: form.To!,
      from: form.From!,
      body: form.Body!,
      status: "queued",
      status_callback: form.StatusCallback ?? null,
      num_segments: "1",
      date_created: new Date().toUTCString(),
      date_sent: null,
      direction: "outbound-api",
      error_code: null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
    };
    acct.messages.push(msg);
    if (acct.autoStatus) {
      setTimeout(() => void sendStatus(acct, msg, "sent").then(() => setTimeout(() => void sendStatus(acct, msg, "delivered"), 300)), 150);
    }
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
      messages: slice.map((m) => ({ ...m, account_sid: acct.sid, error_message: null, uri: `${base.replace(".json", "")}/${m.sid}.json` })),
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

  const services = messagingServices(accounts);
  /** A Messages create's fields once its sender is known: From as given, or picked from the named service's pool. */
  function senderOf(acct: Account, form: Record<string, string>): { ok: true; fields: Record<string, string> } | { ok: false; status: number; body: ReturnType<typeof err> } {
    if (!form.MessagingServiceSid) return { ok: true, fields: form };
    const pick = services.sender(acct, form.MessagingServiceSid, form.From);
    if (!pick.ok) return { ok: false, status: pick.status, body: err(pick.status, pick.code, pick.message) };
    return { ok: true, fields: { ...form, From: pick.from, MessagingServiceSid: pick.serviceSid } };
  }

  const phone = phoneRoutes(accounts, sendInbound);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    if (await phone(req, res, url, raw)) return;
    if (await services.handle(req, res, url, raw)) return;
    if (url.pathname.startsWith("/__fake/")) return control(req, res, url, raw);

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(.+)$/.exec(url.pathname);
    const acct = m ? accounts.get(decodeURIComponent(m[1]!)) : undefined;
    const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const [user, pass] = [auth.slice(0, auth.indexOf(":")), auth.slice(auth.indexOf(":") + 1)];
    if (!m) {
      unexpected.push(`${req.method} ${url.pathname}`);
      return send(res, 404, err(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    if (!acct || user !== acct.sid || pass !== acct.token) return send(res, 401, err(401, 20003, "Authenticate"));
    const form = Object.fromEntries(new URLSearchParams(raw));
    const path = m[2]!;
    acct.requests.push({ method: req.method ?? "GET", path, form });

    const fault = acct.faults.find((f) => path.includes(f.match) && (!f.method || f.method === req.method) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.delay_ms) await new Promise((r) => setTimeout(r, fault.delay_ms));
      // "after": do the real work, then lose the response (Twilio accepted it, the caller never hears back) or
      // answer `status` anyway (a 504 from Twilio's edge after the message was created).
      if (fault.after) {
        const create = req.method === "POST" && path === "Messages.json" ? senderOf(acct, form) : null;
        if (create?.ok) {
          const msg = handleCreate(acct, create.fields);
          for (const s of fault.callbacks_first ?? []) await sendStatus(acct, msg, s);
        }
        if (fault.status) return send(res, fault.status, err(fault.status, fault.code ?? fault.status, fault.message ?? "Injected fault"));
        return req.socket.destroy();
      }
      const held = (fault.callbacks_first || fault.hold_ms) && req.method === "POST" && path === "Messages.json" ? senderOf(acct, form) : null;
      if (held?.ok) {
        const msg = handleCreate(acct, held.fields);
        for (const s of fault.callbacks_first ?? []) await sendStatus(acct, msg, s);
        if (fault.hold_ms) await new Promise((r) => setTimeout(r, fault.hold_ms));
        return send(res, 201, { ...msg, account_sid: acct.sid, error_message: null });
      }
      if (fault.drop) return req.socket.destroy();
      if (fault.body !== undefined) return res.writeHead(fault.status ?? 200, { "content-type": "application/json" }).end(fault.body);
      if (fault.status) return send(res, fault.status, err(fault.status, fault.code ?? fault.status, fault.message ?? "Injected fault"));
    }

    if (req.method === "GET" && path === "IncomingPhoneNumbers.json") {
      const want = url.searchParams.get("PhoneNumber");
      const list = acct.numbers.filter((n) => !want || n.phone_number === want);
      return send(res, 200, { incoming_phone_numbers: list, page: 0, page_size: 50, next_page_uri: null });
    }
    const upd = /^IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(path);
    if (req.method === "GET" && upd) {
      const n = acct.numbers.find((x) => x.sid === upd[1]);
      if (!n) return send(res, 404, err(404, 20404, `The requested resource /2010-04-01/Accounts/${acct.sid}/${path} was not found`));
      return send(res, 200, n);
    }
    if (req.method === "POST" && upd) {
      const n = acct.numbers.find((x) => x.sid === upd[1]);
      if (!n) return send(res, 404, err(404, 20404, `The requested resource /2010-04-01/Accounts/${acct.sid}/${path} was not found`));
      // Only the IncomingPhoneNumber update parameters Twilio documents; anything else is our bug, said loudly.
      const unknown = Object.keys(form).filter((k) => !NUMBER_UPDATE_FIELDS.has(k));
      if (unknown.length) {
        unexpected.push(`${req.method} ${url.pathname} with ${unknown.join(", ")}`);
        return send(res, 400, err(400, 20001, `Unknown parameters: ${unknown.join(", ")}`));
      }
      if (form.SmsMethod !== undefined && form.SmsMethod !== "GET" && form.SmsMethod !== "POST") return send(res, 400, err(400, 21603, "SmsMethod must be GET or POST"));
      if (form.SmsUrl !== undefined) n.sms_url = form.SmsUrl;
      if (form.SmsMethod !== undefined) n.sms_method = form.SmsMethod;
      if (form.SmsApplicationSid !== undefined) n.sms_application_sid = form.SmsApplicationSid;
      return send(res, 200, n);
    }
    if (req.method === "GET" && path === "Messages.json") return send(res, 200, listPage(acct, url));
    if (req.method === "POST" && path === "Messages.json") {
      const unknown = Object.keys(form).filter((k) => !MESSAGE_CREATE_FIELDS.has(k));
      if (unknown.length) {
        unexpected.push(`${req.method} ${url.pathname} with ${unknown.join(", ")}`);
        return send(res, 400, err(400, 20001, `Unknown parameters: ${unknown.join(", ")}`));
      }
      if (!form.To || !form.Body || (!form.From && !form.MessagingServiceSid)) return send(res, 400, err(400, 21604, "A 'To' phone number, a 'From' or 'MessagingServiceSid', and 'Body' are required."));
      if (form.From && !acct.numbers.some((n) => n.phone_number === form.From)) return send(res, 400, err(400, 21606, `The From phone number ${form.From} is not a valid, SMS-capable inbound phone number or short code for your account.`));
      const create = senderOf(acct, form);
      if (!create.ok) return send(res, create.status, create.body);
      const refused = magicRefusal(form.To);
      if (refused) return send(res, refused.status, err(refused.status, refused.code, refused.message));
      const msg = handleCreate(acct, create.fields);
      return send(res, 201, { ...msg, account_sid: acct.sid, error_message: null });
    }
    unexpected.push(`${req.method} ${url.pathname}`);
    return send(res, 404, err(404, 20404, `The requested resource ${url.pathname} was not found`));
  });

  await new Promise<void>((resolve) => server.listen(port, opts.host ?? "127.0.0.1", resolve));
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    accounts,
    unexpected,
    addAccount,
    sendInbound,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
