// The delivery half of bench/waiters: with every waiter connected, signals go in as signed Twilio webhooks and we
// time webhook sent → that waiter's socket has the match. Waiter i's SMS carries its filter "n<i>z" and the code
// 100000+i, so at the end each waiter must hold exactly one match, with its own code.
import { signedSms, type Stack } from "../lib/stack.ts";
import { percentile } from "../lib/wrangler-dev.ts";
import type { Waiter } from "./waiter.ts";

const FROM = "+15550009999";
const SINGLES = 200;
const AFTER_CREATE = 20;

type Channel = Parameters<typeof signedSms>[1] & { agent: { id: string } };
export const codeFor = (i: number) => String(100000 + i);

/** 0..n-1 in a fixed shuffled order, so each phase reaches waiters spread over the whole set. */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export async function measureDelivery(stack: Stack, c: Channel, waiters: Waiter[], concurrency: number) {
  const n = waiters.length;
  const order = shuffled(n);
  const one = async (i: number) => {
    const send = signedSms(stack, c, FROM, `Your code is ${codeFor(i)} n${i}z`);
    const start = performance.now();
    const res = await send();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook for waiter ${i}: ${res.status}`);
    const answered = performance.now() - start;
    return { answered, delivered: (await waiters[i]!.matched) - start };
  };

  // The first signal after the sockets connect pays for warming up: the object reads its waiting watches from
  // SQLite and the webhook path runs for the first time. Reported apart from the steady state.
  const cold = (await one(order[0]!)).delivered;

  const single: number[] = [];
  const webhook: number[] = [];
  for (const i of order.slice(1, 1 + Math.min(SINGLES, n - 1))) {
    const r = await one(i);
    single.push(r.delivered);
    webhook.push(r.answered);
  }

  // Creating a watch makes the object re-read its waiting list on the next signal; how much that costs at n.
  const afterCreate: number[] = [];
  const afterCreateFrom = 1 + single.length;
  for (const [k, i] of order.slice(afterCreateFrom, afterCreateFrom + AFTER_CREATE).entries()) {
    await stack.call("POST", "/api/signals/watches", { agent_id: c.agent.id, channel_id: c.channel.id, contains: `extra${k}q`, lookback_s: 0, timeout_s: 3600 });
    afterCreate.push((await one(i)).delivered);
  }

  // Everyone else's signal in a burst, `concurrency` webhooks in flight.
  const rest = order.slice(afterCreateFrom + afterCreate.length);
  const requests = rest.map((i) => signedSms(stack, c, FROM, `Your code is ${codeFor(i)} n${i}z`));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const k = next++;
        const res = await requests[k]!();
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook for waiter ${rest[k]}: ${res.status}`);
      }
    }),
  );
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 60_000).unref());
  const settled = await Promise.race([Promise.all(rest.map((i) => waiters[i]!.matched)), timeout]);
  const burstSeconds = (performance.now() - t0) / 1000;

  // A late duplicate would arrive now, so give the sockets a moment before checking.
  await new Promise((r) => setTimeout(r, 1000));
  const wrong = waiters.filter((w, i) => w.signals.length !== 1 || w.signals[0]!.code !== codeFor(i) || !w.signals[0]!.body.includes(`n${i}z`)).length;
  for (const s of [single, webhook, afterCreate]) s.sort((a, b) => a - b);
  return {
    cold,
    single: { n: single.length, p50: percentile(single, 50), p99: percentile(single, 99), webhookP50: percentile(webhook, 50) },
    afterCreate: { n: afterCreate.length, p50: percentile(afterCreate, 50), p99: percentile(afterCreate, 99) },
    burst: { n: rest.length, seconds: burstSeconds, perSecond: rest.length / burstSeconds },
    wrong,
    allDelivered: settled !== "timeout" && wrong === 0,
  };
}
