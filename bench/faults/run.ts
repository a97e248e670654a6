// bench/faults: exactly one SMS per turn under Twilio faults, through the real stack (the built worker in
// Miniflare: webhook, channel object and ledger, D1, the Queue consumer with its retries) against the fake
// Twilio. Before each inbound SMS a seeded random fault is armed on that channel's account — accept then 504,
// 5xx, 429, reset before or after accepting, status callbacks before the answer, slow answers, a timeout whose
// message Twilio still creates, a list endpoint that is down — and every accepted message's status callbacks
// then arrive late, twice, out of order and all at once. Prints turns, accepted Twilio messages, duplicates,
// lost replies, lost statuses and stuck conversations (target: all zero, every status final). BENCH_SEED=n
// repeats a run's fault draw (which request each fault lands on still depends on timing).
import type { FakeTwilio } from "../../emulator/twilio.ts";
import { startStack, type Stack } from "../lib/stack.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 1000);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 50);
// Conversations run their turns one at a time; many of them keep a fault's retry delays from serialising the run.
const PHONES = 4;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SEED = Number(process.env.BENCH_SEED ?? Math.floor(Math.random() * 2 ** 31));
// Turns that hit a fault wait out the Queue's retry delays (10 s or more each): a run takes 4–5 minutes here.
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 600);

/** mulberry32: a small seeded PRNG, so a run's fault draw can be repeated. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

type Fault = Record<string, unknown> & { match: string };
const POST = { match: "Messages.json", method: "POST" } as const;
/** Weighted faults Twilio really produces; "none" leaves the turn alone. */
const FAULTS: [name: string, weight: number, fault: () => Fault | null][] = [
  ["none", 40, () => null],
  ["accept_then_504", 10, () => ({ ...POST, after: true, status: 504, code: 20504, message: "Gateway Timeout" })],
  ["accept_then_reset", 8, () => ({ ...POST, after: true })],
  ["accept_504_callbacks_first", 6, () => ({ ...POST, after: true, status: 504, callbacks_first: ["sent", "delivered"] })],
  ["callbacks_before_answer", 6, () => ({ ...POST, callbacks_first: pick([["queued", "sent"], ["sent", "delivered"], ["delivered", "sent"]]) })],
  ["503", 8, () => ({ ...POST, status: 503, code: 20503, message: "Service Unavailable" })],
  ["429", 6, () => ({ ...POST, status: 429, code: 20429, message: "Too Many Requests" })],
  ["reset", 6, () => ({ ...POST, drop: true })],
  ["slow_answer", 5, () => ({ ...POST, delay_ms: 200 + Math.floor(random() * 1800) })],
  // Past the client's 10 s timeout: Twilio creates the message after textgate gave up on the answer.
  ["timeout_then_accept", 1, () => ({ ...POST, delay_ms: 10_500 })],
  ["list_503", 4, () => ({ match: "Messages.json", method: "GET", status: 503, code: 20503 })],
];
const TOTAL_WEIGHT = FAULTS.reduce((s, f) => s + f[1], 0);
function drawFault(): { name: string; fault: Fault | null } {
  let r = random() * TOTAL_WEIGHT;
  for (const [name, w, make] of FAULTS) if ((r -= w) < 0) return { name, fault: make() };
  return { name: "none", fault: null };
}

/** Runs fn(0..count-1) with CONCURRENCY in flight. */
async function pool(count: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

interface TurnView {
  id: string;
  sender: string;
  status: string;
  error: string | null;
}
const settledTurn = (t: TurnView) => t.status === "completed" || t.status === "failed";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function messageChannel(stack: Stack, i: number) {
  const number = `+1500555${String(1000 + i).padStart(4, "0")}`;
  const account = stack.twilio.addAccount({ numbers: [{ phone_number: number }], auto_status: true });
  const space = await stack.call("POST", "/api/spaces", { name: `faults ${i}` });
  const agent = await stack.call("POST", "/api/agents", { name: `faults ${i}`, space_id: space.id });
  const ch = await stack.call("POST", "/api/channels", { provider: "twilio_sms", space_id: space.id, agent_id: agent.id, dispatch_mode: "message", config: { account_sid: account.sid, auth_token: account.token, from_number: number } });
  if (ch.status !== "pairing") throw new Error(`channel did not register: ${JSON.stringify(ch.error)}`);
  const phones = Array.from({ length: PHONES }, (_, p) => `+1555${String(i).padStart(3, "0")}${String(p).padStart(4, "0")}`);
  for (const [p, phone] of phones.entries()) {
    const code = p === 0 ? ch.pairing.code : (await stack.call("POST", `/api/channels/${ch.id}/pairing`)).code;
    const paired = await stack.twilio.sendInbound(account.sid, { from: phone, body: code });
    if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status} ${paired.body}`);
  }
  return { account, channel: ch, phones };
}

/** The fake's own message list and what it last told textgate about each (its status callbacks). */
const outboundOf = (twilio: FakeTwilio, sid: string, phones: string[]) => twilio.accounts.get(sid)!.messages.filter((m) => phones.includes(m.to));

async function statusCallback(twilio: FakeTwilio, account: string, sid: string, status: string) {
  await fetch(`${twilio.url}/__fake/accounts/${account}/messages/${sid}/status`, { method: "POST", body: JSON.stringify({ status }) });
}

console.log(`bench:faults seed=${SEED} turns=${TURNS} channels=${CHANNELS}×${PHONES} phones (BENCH_SEED=${SEED} repeats the draw)`);
const stack = await startStack({ runtime: "miniflare", vars: { TURN_RETRY_DELAY_S: "1", TWILIO_SEND_SETTLE_S: "12" } });
const t0 = performance.now();
try {
  // One at a time: channel handles are allocated from the agent's name, and concurrent creations collide.
  const channels: Awaited<ReturnType<typeof messageChannel>>[] = [];
  for (let i = 0; i < CHANNELS; i++) channels.push(await messageChannel(stack, i));
  const drawn = new Map<string, number>();
  await pool(TURNS, async (i) => {
    const c = channels[i % CHANNELS]!;
    const phone = c.phones[Math.floor(i / CHANNELS) % PHONES]!;
    const { name, fault } = drawFault();
    drawn.set(name, (drawn.get(name) ?? 0) + 1);
    if (fault) stack.twilio.accounts.get(c.account.sid)!.faults.push({ times: 1, ...fault } as never);
    const res = await stack.twilio.sendInbound(c.account.sid, { from: phone, body: `t${i} hello` });
    if (res.status !== 200) throw new Error(`inbound ${i}: ${res.status} ${res.body}`);
  });
  console.log(`sent ${TURNS} inbound SMS in ${((performance.now() - t0) / 1000).toFixed(1)} s; faults drawn: ${[...drawn].map(([k, v]) => `${k}=${v}`).join(" ")}`);

  // Wait for every turn to settle (completed or failed) or the deadline.
  const turnsOf = async (): Promise<TurnView[][]> => Promise.all(channels.map((c) => stack.call("GET", `/api/channels/${c.channel.id}/turns?limit=500`)));
  let turnsBy = await turnsOf();
  while (performance.now() - t0 < DEADLINE_S * 1000) {
    const all = turnsBy.flat();
    if (all.length >= TURNS && all.every(settledTurn)) break;
    await sleep(1000);
    turnsBy = await turnsOf();
  }
  const turns = turnsBy.flat();
  const settledS = (performance.now() - t0) / 1000;

  // Status callbacks late, twice, out of order and concurrently for every accepted message.
  for (const c of channels) {
    const msgs = outboundOf(stack.twilio, c.account.sid, c.phones);
    await Promise.all(msgs.map((m) => Promise.all(pick([["sent", "delivered", "sent"], ["delivered", "delivered", "queued"], ["sending", "delivered", "sent", "delivered"]]).map((s) => statusCallback(stack.twilio, c.account.sid, m.sid, s)))));
  }
  await sleep(1500);

  let accepted = 0;
  let duplicates = 0;
  let lostReplies = 0;
  let lostStatuses = 0;
  let finalStatuses = 0;
  let replies = 0;
  const failures = new Map<string, number>();
  for (const [ci, c] of channels.entries()) {
    const msgs = outboundOf(stack.twilio, c.account.sid, c.phones);
    accepted += msgs.length;
    const perTurn = new Map<string, number>();
    for (const m of msgs) {
      const marker = /Echo: (t\d+) /.exec(m.body)?.[1] ?? m.body;
      perTurn.set(marker, (perTurn.get(marker) ?? 0) + 1);
    }
    for (const n of perTurn.values()) duplicates += n - 1;
    const rows = ((await stack.call("GET", `/api/channels/${c.channel.id}/messages?limit=500`)) as { direction: string; twilio_sid: string | null; status: string; turn_id: string | null }[]).filter((m) => m.direction === "outbound");
    const bySid = new Map(msgs.map((m) => [m.sid, m]));
    for (const r of rows) {
      replies++;
      const twilioSide = r.twilio_sid ? bySid.get(r.twilio_sid) : undefined;
      if (!twilioSide) continue;
      // Every accepted message was reported delivered (by the fake, and again by the storm above).
      if (r.status === "delivered") finalStatuses++;
      else lostStatuses++;
    }
    // A reply is lost when its turn settled without a D1 row that names an accepted Twilio message.
    const sent = new Set(rows.filter((r) => r.twilio_sid && bySid.has(r.twilio_sid)).map((r) => r.turn_id));
    for (const t of turnsBy[ci]!) {
      if (settledTurn(t) && !sent.has(t.id)) {
        lostReplies++;
        failures.set(t.error ?? t.status, (failures.get(t.error ?? t.status) ?? 0) + 1);
      }
    }
  }
  const stuckTurns = turnsBy.flatMap((ts, ci) => ts.filter((t) => !settledTurn(t)).map((t) => `${ci}/${t.sender}`));
  const stuck = new Set(stuckTurns).size;
  const missing = TURNS - turns.length;

  console.log(`settled in ${settledS.toFixed(1)} s`);
  console.log(`turns ${turns.length} (of ${TURNS} sent${missing ? `; ${missing} never created` : ""}), accepted Twilio messages ${accepted}, D1 replies ${replies}`);
  console.log(`duplicates ${duplicates}, lost replies ${lostReplies}, lost statuses ${lostStatuses}, stuck conversations ${stuck} (${stuckTurns.length} turns), statuses final ${finalStatuses}/${accepted}`);
  for (const [why, n] of failures) console.log(`  lost: ${n}× ${why}`);
  console.log(`faults: seed=${SEED} turns=${turns.length} accepted=${accepted} duplicates=${duplicates} lost_replies=${lostReplies} lost_statuses=${lostStatuses} stuck=${stuck} final=${finalStatuses}/${accepted}`);
  if (duplicates || lostReplies || lostStatuses || stuck || missing || finalStatuses !== accepted) process.exitCode = 1;
} finally {
  await stack.stop();
}
