// bench/webhook: signed inbound SMS webhooks through textgate's full path (signature check, channel object,
// durable dedupe, D1 write, TwiML) against a bare worker that only returns TwiML, both under local wrangler dev
// in the same run. Prints requests/s, p50/p99 and the throughput ratio; the target is ≥ 0.5×.
import twilioWebhooks from "twilio/lib/webhooks/webhooks.js";
import { startFakeTwilio } from "../../test/fakes/twilio-server.ts";
import { freePort, load, startWranglerDev } from "../lib/wrangler-dev.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ADMIN = "bench-admin-token";
const PHONE = "+15557770001";

const twilio = await startFakeTwilio();
const account = twilio.addAccount({ numbers: [{ phone_number: "+15005550006" }] });
const bare = await startWranglerDev({ config: "bench/webhook/bare.wrangler.toml" });
const appPort = await freePort();
const app = await startWranglerDev({
  config: "wrangler.toml",
  migrate: true,
  port: appPort,
  vars: { SERVER_EXTERNAL_URL: `http://127.0.0.1:${appPort}`, ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: "bench-encryption-key", TWILIO_API_BASE: twilio.url, VOICE_TWILIO_AUTH_TOKEN: "", OPENAI_API_KEY: "" },
});
const publicUrl = app.url;
try {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const space = await call("POST", "/api/spaces", { name: "bench" });
  const agent = await call("POST", "/api/agents", { name: "bench", space_id: space.id });
  const channel = await call("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    config: { account_sid: account.sid, auth_token: account.token, from_number: "+15005550006" },
  });
  if (channel.status !== "pairing") throw new Error(`channel did not register: ${JSON.stringify(channel.error)}`);
  const paired = await twilio.sendInbound(account.sid, { from: PHONE, body: channel.pairing.code });
  if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status} ${paired.body}`);

  // Pre-sign every request so the load loop measures the server, not our HMACs.
  const hookPath = `/webhooks/twilio/sms/${channel.id}`;
  const signedRequests = (base: string) =>
    Array.from({ length: N }, (_, i) => {
      const sid = `SM${i.toString(16).padStart(8, "0")}${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}${"0".repeat(16)}`;
      const params = { MessageSid: sid, SmsSid: sid, AccountSid: account.sid, From: PHONE, To: "+15005550006", Body: `bench message ${i}`, NumMedia: "0" };
      const body = new URLSearchParams(params).toString();
      const signature = twilioWebhooks.getExpectedTwilioSignature(account.token, `${publicUrl}${hookPath}`, params);
      return () => fetch(`${base}${hookPath}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }, body });
    });

  // Warm both up, then measure bare and textgate back to back.
  await load(signedRequests(bare.url).slice(0, 100), CONCURRENCY);
  await load(signedRequests(app.url).slice(0, 100), CONCURRENCY);
  const b = await load(signedRequests(bare.url), CONCURRENCY);
  const t = await load(signedRequests(app.url), CONCURRENCY);
  const fmt = (r: typeof b) => `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.count} requests, ${r.failures} non-200)`;
  console.log(`bare worker   ${fmt(b)}`);
  console.log(`textgate      ${fmt(t)}`);
  const ratio = t.rps / b.rps;
  console.log(`webhook: ratio=${ratio.toFixed(2)} (target >= 0.5) textgate_rps=${t.rps.toFixed(0)} bare_rps=${b.rps.toFixed(0)} p50=${t.p50.toFixed(2)}ms p99=${t.p99.toFixed(2)}ms`);
  if (t.failures > 0) {
    console.error("textgate answered non-200 during the run");
    process.exitCode = 1;
  }
} finally {
  await Promise.all([bare.stop(), app.stop()]);
  await twilio.close();
}
