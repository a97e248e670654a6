// A fake Twilio REST API for tests (Node, started by vitest.config.ts). It answers the endpoints textgate uses the
// way Twilio does — Basic auth, JSON bodies, Twilio's error shape {code,message,more_info,status} — keeps state
// per account so parallel test files don't collide, and records every request. Anything it does not know is
// answered 404 and recorded under `unexpected`, so a test can fail loudly on it. Control routes live under /__fake.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

interface FakeNumber {
  sid: string;
  phone_number: string;
  capabilities: { sms: boolean; mms: boolean; voice: boolean };
  sms_url: string;
  sms_method: string;
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
}
interface Fault {
  match: string;
  status?: number;
  code?: number;
  message?: string;
  drop?: boolean;
  delay_ms?: number;
  times: number;
}
interface Account {
  sid: string;
  token: string;
  numbers: FakeNumber[];
  messages: FakeMessage[];
  requests: { method: string; path: string; form: Record<string, string> }[];
  faults: Fault[];
}

const hex = (n: number) => randomBytes(n).toString("hex");
const err = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

export interface FakeTwilio {
  url: string;
  server: Server;
  accounts: Map<string, Account>;
  unexpected: string[];
  close(): Promise<void>;
}

export async function startFakeTwilio(port = 0): Promise<FakeTwilio> {
  const accounts = new Map<string, Account>();
  const unexpected: string[] = [];

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
      const sid = json.sid ?? `AC${hex(16)}`;
      const acct: Account = {
        sid,
        token: json.token ?? hex(16),
        numbers: (json.numbers ?? []).map((n: { phone_number: string; sms?: boolean }) => ({
          sid: `PN${hex(16)}`,
          phone_number: n.phone_number,
          capabilities: { sms: n.sms ?? true, mms: n.sms ?? true, voice: true },
          sms_url: "",
          sms_method: "POST",
        })),
        messages: [],
        requests: [],
        faults: [],
      };
      accounts.set(sid, acct);
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
    if (req.method === "POST" && what === "messages" && parts[4]) {
      const m = acct.messages.find((x) => x.sid === parts[4]);
      if (!m) return send(res, 404, { error: "no such message" });
      Object.assign(m, json);
      return send(res, 200, m);
    }
    return send(res, 404, { error: "unknown control route" });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
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

    const fault = acct.faults.find((f) => path.includes(f.match) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.delay_ms) await new Promise((r) => setTimeout(r, fault.delay_ms));
      if (fault.drop) return req.socket.destroy();
      if (fault.status) return send(res, fault.status, err(fault.status, fault.code ?? fault.status, fault.message ?? "Injected fault"));
    }

    if (req.method === "GET" && path === "IncomingPhoneNumbers.json") {
      const want = url.searchParams.get("PhoneNumber");
      const list = acct.numbers.filter((n) => !want || n.phone_number === want);
      return send(res, 200, { incoming_phone_numbers: list, page: 0, page_size: 50, next_page_uri: null });
    }
    const upd = /^IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(path);
    if (req.method === "POST" && upd) {
      const n = acct.numbers.find((x) => x.sid === upd[1]);
      if (!n) return send(res, 404, err(404, 20404, `The requested resource /2010-04-01/Accounts/${acct.sid}/${path} was not found`));
      if (form.SmsUrl !== undefined) n.sms_url = form.SmsUrl;
      if (form.SmsMethod !== undefined) n.sms_method = form.SmsMethod;
      return send(res, 200, n);
    }
    if (req.method === "POST" && path === "Messages.json") {
      if (!form.To || !form.Body || !form.From) return send(res, 400, err(400, 21604, "A 'To' phone number, 'From' and 'Body' are required."));
      if (!acct.numbers.some((n) => n.phone_number === form.From)) return send(res, 400, err(400, 21606, `The From phone number ${form.From} is not a valid, SMS-capable inbound phone number or short code for your account.`));
      const msg: FakeMessage = {
        sid: `SM${hex(16)}`,
        to: form.To,
        from: form.From,
        body: form.Body,
        status: "queued",
        status_callback: form.StatusCallback ?? null,
        num_segments: "1",
        date_created: new Date().toUTCString(),
      };
      acct.messages.push(msg);
      return send(res, 201, { ...msg, account_sid: acct.sid, error_code: null, error_message: null, direction: "outbound-api" });
    }
    unexpected.push(`${req.method} ${url.pathname}`);
    return send(res, 404, err(404, 20404, `The requested resource ${url.pathname} was not found`));
  });

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    accounts,
    unexpected,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
