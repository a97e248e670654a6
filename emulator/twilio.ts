// The local Twilio emulator: `npm start` runs it beside the app (with its /phone page), and the tests run it as their
// fake Twilio (vitest.config.ts). It answers the endpoints textgate uses the way Twilio does — Basic auth, JSON
// bodies, Twilio's error shape {code,message,more_info,status} — keeps state per account so parallel test files
// don't collide, and records every request. Anything it does not know is answered 404 and recorded under
// `unexpected`, so a test fails loudly on it. Given a state file (`npm start`) it keeps its state across restarts;
// tests keep it in memory.
//
// Layout: state.ts (what it knows), api.ts (Twilio's APIs: auth, faults, the route table of numbers.ts,
// messages.ts with magic-numbers.ts, messaging-services.ts and media.ts, whose CDN is served here too),
// webhooks.ts (what it sends the app), control.ts (/__fake for tests), phone.ts (the /phone page), persist.ts
// (the state file).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleApi } from "./api.ts";
import { controlRoutes } from "./control.ts";
import { type Reply, json, match, readBody, write } from "./http.ts";
import { cdnRoutes } from "./media.ts";
import { loadState, persistTo } from "./persist.ts";
import { phoneRoutes } from "./phone.ts";
import { type Account, type AccountInput, EmulatorState } from "./state.ts";
import { type InboundInput, type InboundResult, sendInbound } from "./webhooks.ts";

export { postSigned } from "./webhooks.ts";
export { EmulatorStateError } from "./persist.ts";
export type { Account, AccountInput } from "./state.ts";

export interface FakeTwilio {
  url: string;
  server: Server;
  accounts: Map<string, Account>;
  unexpected: string[];
  addAccount(input: AccountInput): Account;
  /** The account as the state file left it (numbers keep their SmsUrl), or a new one. */
  ensureAccount(input: AccountInput & { sid: string }): Account;
  /** Texts the account's number as `from` would: a signed webhook to the number's SmsUrl (an MMS with `media`). */
  sendInbound(sid: string, msg: InboundInput): Promise<InboundResult>;
  /** Stops listening and writes any unsaved state. */
  close(): Promise<void>;
}

export interface EmulatorOptions {
  host?: string;
  /** Keep state in this file across restarts (`npm start`); without it, state lives in memory only (tests). */
  stateFile?: string;
  /** Told of each connection a "drop" fault closes without an answer (the tests account for workerd's log of it). */
  onDrop?: () => void;
}

/** Throws EmulatorStateError, before listening, when the state file cannot be used. */
export async function startFakeTwilio(port = 0, opts: EmulatorOptions = {}): Promise<FakeTwilio> {
  const state = new EmulatorState();
  let saver: { flush(): void } | undefined;
  if (opts.stateFile) {
    loadState(opts.stateFile, state);
    saver = persistTo(opts.stateFile, state);
  }

  async function handle(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const method = req.method ?? "GET";
    const phone = match(phoneRoutes, method, url.pathname);
    if (phone) return phone.route.handle({ state, url, raw }, phone.params);
    const cdn = match(cdnRoutes, method, url.pathname);
    if (cdn) return cdn.route.handle({ state, url }, cdn.params);
    if (url.pathname.startsWith("/__fake/")) {
      const control = match(controlRoutes, method, url.pathname);
      if (!control) return json(404, { error: "unknown control route" });
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return json(400, { error: "the control routes take a JSON body" });
      }
      return control.route.handle({ state, body }, control.params);
    }
    return handleApi(state, req, url, raw);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    const raw = await readBody(req);
    const reply = await handle(req, url, raw).catch((e: unknown) => {
      // An emulator bug: answered, and recorded so the test that hit it fails.
      state.unexpected.push(`${req.method} ${url.pathname} crashed the emulator: ${String(e)}`);
      return json(500, { error: String(e) });
    });
    if (reply === "drop") opts.onDrop?.();
    write(req, res, reply);
    if (req.method !== "GET") state.changed();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${bound}`;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    accounts: state.accounts,
    unexpected: state.unexpected,
    addAccount: (input) => state.addAccount(input),
    ensureAccount: (input) => state.ensureAccount(input),
    sendInbound: (sid, msg) => sendInbound(state, sid, msg),
    close: () =>
      new Promise((resolve) => {
        saver?.flush();
        server.close(() => resolve());
        // The app keeps connections alive; idle ones would hold close() open.
        server.closeIdleConnections();
      }),
  };
}
