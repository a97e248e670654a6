// A local textgate for benchmarks: wrangler dev (or, for benchmarks holding thousands of connections, the built
// worker in Miniflare with no proxy in front) with its own state, the fake Twilio, and helpers to create a
// signal-mode channel and post signed inbound SMS to it.
import twilioWebhooks from "twilio/lib/webhooks/webhooks.js";
import { startFakeTwilio, type FakeTwilio } from "../../emulator/twilio.ts";
import { freePort, startWranglerDev } from "./wrangler-dev.ts";

export const ADMIN = "bench-admin-token";

/** The running worker: its public URL, which is also SERVER_EXTERNAL_URL, so webhook signatures verify. */
export interface App {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface Stack {
  app: App;
  twilio: FakeTwilio;
  call(method: string, path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

/** `vars` override the worker's (e.g. a shorter TURN_RETRY_DELAY_S for a benchmark full of retries). */
export async function startStack(opts: { runtime?: "wrangler-dev" | "miniflare"; vars?: Record<string, string> } = {}): Promise<Stack> {
  const twilio = await startFakeTwilio();
  const port = await freePort();
  const vars = { SERVER_EXTERNAL_URL: `http://127.0.0.1:${port}`, ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: "bench-encryption-key", TWILIO_API_BASE: twilio.url, TWILIO_MESSAGING_API_BASE: twilio.url, VOICE_TWILIO_AUTH_TOKEN: "", OPENAI_API_KEY: "", ...opts.vars };
  const app = opts.runtime === "miniflare" ? await (await import("./miniflare.ts")).startMiniflare({ port, vars }) : await startWranglerDev({ config: "wrangler.toml", migrate: true, port, vars });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { app, twilio, call, stop: async () => (await app.stop(), await twilio.close()) };
}

export async function signalChannel(stack: Stack, phone = "+15005550006") {
  const account = stack.twilio.addAccount({ numbers: [{ phone_number: phone }] });
  const space = await stack.call("POST", "/api/spaces", { name: "bench" });
  const agent = await stack.call("POST", "/api/agents", { name: "bench", space_id: space.id });
  const channel = await stack.call("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    dispatch_mode: "signal",
    config: { account_sid: account.sid, auth_token: account.token, from_number: phone },
  });
  if (channel.status !== "pairing") throw new Error(`channel did not register: ${JSON.stringify(channel.error)}`);
  return { account, agent, channel };
}

let seq = 0;
/** A signed inbound-SMS request, built ahead so timing covers only the server. */
export function signedSms(stack: Stack, c: { account: { sid: string; token: string }; channel: { id: string; config: { from_number: string } } }, from: string, body: string) {
  const path = `/webhooks/twilio/sms/${c.channel.id}`;
  const sid = `SM${(++seq).toString(16).padStart(12, "0")}${Math.random().toString(16).slice(2, 22).padEnd(20, "0")}`;
  const params = { MessageSid: sid, SmsSid: sid, AccountSid: c.account.sid, From: from, To: c.channel.config.from_number, Body: body, NumMedia: "0" };
  const signature = twilioWebhooks.getExpectedTwilioSignature(c.account.token, `${stack.app.url}${path}`, params);
  const init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }, body: new URLSearchParams(params).toString() };
  return () => fetch(`${stack.app.url}${path}`, init);
}
