// bench/webhook: signed inbound SMS webhooks through textgate's full path — signature check, channel object,
// durable dedupe, D1 writes, the Cedar decision, TwiML — against a bare worker that only returns TwiML, all under
// local wrangler dev in the same run. Prints requests/s, p50/p99 and the throughput ratio (target ≥ 0.5×).
//
// Two textgate rows: a signal-mode channel (the webhook path alone), and a message-mode channel whose every
// webhook also starts an agent turn. Those turns (agent loop, Twilio send, status callbacks) run on the same two
// cores during the measurement — on Cloudflare they run in separate consumer invocations — so that row shows
// what the whole product costs per inbound SMS on one machine, and the target applies to the first.
import { combine, load, startWranglerDev, type LoadResult } from "../lib/wrangler-dev.ts";
import { signedSms, startStack, type Stack } from "../lib/stack.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** The measurement is split into rounds that alternate bare / textgate, so drift on a shared machine (CPU
 * frequency, other processes, SQLite files growing) lands on both sides instead of on whichever ran first. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PHONE = "+15557770001";

async function channel(stack: Stack, mode: "signal" | "message", number: string) {
  const account = stack.twilio.addAccount({ numbers: [{ phone_number: number }] });
  const space = await stack.call("POST", "/api/spaces", { name: `bench ${mode}` });
  const agent = await stack.call("POST", "/api/agents", { name: `bench ${mode}`, space_id: space.id });
  const ch = await stack.call("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    dispatch_mode: mode,
    config: { account_sid: account.sid, auth_token: account.token, from_number: number },
  });
  if (ch.status !== "pairing") throw new Error(`channel did not register: ${JSON.stringify(ch.error)}`);
  const paired = await stack.twilio.sendInbound(account.sid, { from: PHONE, body: ch.pairing.code });
  if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status} ${paired.body}`);
  return { account, channel: ch };
}

const stack = await startStack();
const bare = await startWranglerDev({ config: "bench/webhook/bare.wrangler.toml" });
try {
  const signal = await channel(stack, "signal", "+15005550006");
  const message = await channel(stack, "message", "+15005550007");
  // Pre-signed, so the load loop measures the servers, not our HMACs. The bare worker gets a form body too.
  const textgate = (c: typeof signal, n: number) => Array.from({ length: n }, (_, i) => signedSms(stack, c, PHONE, `bench message ${i}`));
  const plain = (n: number) => Array.from({ length: n }, () => () => fetch(bare.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Body=bench" }));
  const per = Math.ceil(N / ROUNDS);

  await load(plain(200), CONCURRENCY);
  await load(textgate(signal, 200), CONCURRENCY);
  const bareRuns: LoadResult[] = [];
  const signalRuns: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await load(plain(per), CONCURRENCY));
    signalRuns.push(await load(textgate(signal, per), CONCURRENCY));
  }
  // Message mode last: the turns it starts keep the machine busy after its requests are answered. Its own bare
  // run comes right before it.
  const bareBefore = await load(plain(per), CONCURRENCY);
  const m = await load(textgate(message, N), CONCURRENCY);
  const b = combine(bareRuns);
  const s = combine(signalRuns);
  const fmt = (r: LoadResult) => `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.count} requests, ${r.failures} non-200)`;
  console.log(`bare worker                     ${fmt(b)}`);
  console.log(`textgate, signal mode           ${fmt(s)}`);
  console.log(`textgate, message mode + turns  ${fmt(m)}`);
  const rounds = signalRuns.map((r, i) => (r.rps / bareRuns[i]!.rps).toFixed(2)).join(" ");
  console.log(`per-round signal/bare ratios: ${rounds}`);
  const ratio = s.rps / b.rps;
  console.log(
    `webhook: ratio=${ratio.toFixed(2)} (target >= 0.5) textgate_rps=${s.rps.toFixed(0)} bare_rps=${b.rps.toFixed(0)} p50=${s.p50.toFixed(2)}ms p99=${s.p99.toFixed(2)}ms ` +
      `message_mode_with_turns_ratio=${(m.rps / bareBefore.rps).toFixed(2)}`,
  );
  if (s.failures + m.failures > 0) {
    console.error("textgate answered non-200 during the run");
    process.exitCode = 1;
  }
} finally {
  await Promise.all([bare.stop(), stack.stop()]);
}
