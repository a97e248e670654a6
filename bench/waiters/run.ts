// bench/waiters: 10 000 WebSocket waiters on one channel's object, held with the hibernation API. Reports the
// workerd process's memory before and after the sockets connect, then the time to deliver: one signal to its
// waiter with 10 000 waiting (p50/p99), and a burst of signals until every waiter has its code (deliver.ts).
//
// The worker runs directly in Miniflare (bench/lib/miniflare.ts): under wrangler dev a proxy workerd sits in front,
// spends descriptors on every socket too and mixes its memory into the figure. Here one workerd process holds the
// sockets and is what we measure. It still keeps two descriptors per connection (fd-budget.ts), so under a
// 20 000-descriptor limit slightly fewer than 10 000 fit: all N watches are created (that rate is reported), and
// only as many as fit get a socket — the rest are cancelled, and the summary says n= the waiters actually held.
import { ADMIN, signalChannel, startStack } from "../lib/stack.ts";
import { measureDelivery } from "./deliver.ts";
import { connectionsThatFit, fdsPerConnection } from "./fd-budget.ts";
import { fdLimit, fds, rssMiB, workerdPids } from "./procfs.ts";
import { connectWaiter, type Waiter } from "./waiter.ts";

const N = Number(process.env.BENCH_WAITERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

/** Runs fn(0..count-1) with CONCURRENCY in flight; reports progress at 1000 and every 2000. */
async function pool(count: number, fn: (i: number) => Promise<void>, progress: (done: number) => void = () => {}) {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        await fn(next++);
        if (++done % 2000 === 0 || done === 1000) progress(done);
      }
    }),
  );
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const ms = (x: number) => `${x.toFixed(2)} ms`;

const stack = await startStack({ runtime: "miniflare" });
try {
  const pids = workerdPids();
  if (pids.length !== 1) throw new Error(`expected one workerd process under this one, found ${pids.length}`);
  const workerd = pids[0]!;
  const held = () => {
    const w = fds(workerd);
    return `workerd ${rssMiB(pids).toFixed(0)} MiB, ${w.total} fds (${w.sockets} sockets); this process ${fds("self").total} fds`;
  };
  console.log(`Miniflare at ${stack.app.url} (workerd pid ${workerd}, fd limit ${fdLimit(workerd)}): ${held()}`);
  const c = await signalChannel(stack);

  const ids: string[] = new Array(N);
  const t0 = performance.now();
  const watch = (i: number) => ({ agent_id: c.agent.id, channel_id: c.channel.id, contains: `n${i}z`, lookback_s: 0, timeout_s: 3600 });
  await pool(N, async (i) => void (ids[i] = (await stack.call("POST", "/api/signals/watches", watch(i))).id), (done) => console.log(`  created ${done} watches, ${seconds(t0).toFixed(1)} s`));
  const createS = seconds(t0);
  console.log(`created ${N} watches in ${createS.toFixed(1)} s (${(N / createS).toFixed(0)}/s, ${CONCURRENCY} in flight)`);

  // As many sockets as fit, with room for the webhook connections that follow (two descriptors each).
  const perConnection = await fdsPerConnection(workerd, stack.app.port);
  const budget = connectionsThatFit(workerd, perConnection, 4 * CONCURRENCY + 64);
  const n = Math.min(N, budget.fit);
  if (n < N) {
    console.log(
      `workerd keeps ${perConnection.toFixed(2)} fds per connection and has ${budget.open} of ${budget.limit} open: ` +
        `${budget.fit} sockets fit, not ${N}; cancelling ${N - n} watches and holding ${n} waiters`,
    );
    await pool(N - n, async (k) => void (await stack.call("DELETE", `/api/signals/watches/${ids[n + k]}`)));
  }

  await new Promise((r) => setTimeout(r, 2000));
  const before = rssMiB(pids);
  const fdsBefore = fds(workerd).total;
  const waiters: Waiter[] = new Array(n);
  const t1 = performance.now();
  const url = (i: number) => `${stack.app.url.replace("http", "ws")}/api/signals/watches/${ids[i]}/ws`;
  await pool(n, async (i) => void (waiters[i] = await connectWaiter(url(i), ADMIN)), (done) => console.log(`  ${done} sockets waiting, ${seconds(t1).toFixed(1)} s: ${held()}`));
  const connectS = seconds(t1);
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssMiB(pids);
  const fdsAfter = fds(workerd).total;
  const perWaiterKiB = ((after - before) * 1024) / n;
  console.log(`connected ${n} sockets in ${connectS.toFixed(1)} s (${(n / connectS).toFixed(0)}/s), extensions "${waiters[0]?.ws.extensions}"`);
  console.log(`workerd RSS ${before.toFixed(0)} MiB → ${after.toFixed(0)} MiB (+${perWaiterKiB.toFixed(1)} KiB per waiter); fds ${fdsBefore} → ${fdsAfter} (${((fdsAfter - fdsBefore) / n).toFixed(2)} per waiter)`);

  const d = await measureDelivery(stack, c, waiters, CONCURRENCY);
  for (const w of waiters) w.ws.close();
  console.log(`deliver the first signal after connecting (cold): ${ms(d.cold)}`);
  console.log(`deliver one (webhook sent → waiter has it, ${n} waiting), n=${d.single.n}: p50 ${ms(d.single.p50)} p99 ${ms(d.single.p99)} (webhook answered p50 ${ms(d.single.webhookP50)})`);
  console.log(`deliver one right after a new watch is created, n=${d.afterCreate.n}: p50 ${ms(d.afterCreate.p50)} p99 ${ms(d.afterCreate.p99)}`);
  console.log(`deliver all: ${d.burst.n} more signals in ${d.burst.seconds.toFixed(1)} s (${d.burst.perSecond.toFixed(0)} signals/s, ${CONCURRENCY} in flight); every waiter got exactly its own code: ${d.allDelivered}${d.wrong ? ` (${d.wrong} did not)` : ""}`);
  console.log(
    `waiters: n=${n} requested=${N} rss_per_waiter_kib=${perWaiterKiB.toFixed(1)} deliver_p50_ms=${d.single.p50.toFixed(2)} deliver_p99_ms=${d.single.p99.toFixed(2)} ` +
      `burst_signals_per_s=${d.burst.perSecond.toFixed(0)} all_delivered=${d.allDelivered} deliver_after_create_p50_ms=${d.afterCreate.p50.toFixed(2)} ` +
      `create_watches_per_s=${(N / createS).toFixed(0)} workerd_fds=${fdsAfter}`,
  );
  if (!d.allDelivered) process.exitCode = 1;
} finally {
  await stack.stop();
}
