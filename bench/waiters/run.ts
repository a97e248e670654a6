// bench/waiters: 10 000 WebSocket waiters on one channel's object, held with the hibernation API. Reports the
// workerd process's memory before and after the sockets connect, then the time to deliver: one signal to its
// waiter with 10 000 waiting (p50/p99), and a burst of signals until every waiter has its code.
import { readFileSync, readdirSync } from "node:fs";
import { ADMIN, percentile, signalChannel, signedSms, startStack } from "../lib/stack.ts";

const N = Number(process.env.BENCH_WAITERS ?? 10_000);
const CONCURRENCY = 64;

/** Resident memory (MiB) of the workerd processes under our wrangler dev (its descendants only). */
function workerdRssMiB(root: number): number {
  const parent = new Map<number, number>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // process went away
    }
  }
  const ours = (pid: number): boolean => pid === root || (parent.has(pid) && pid > 1 && ours(parent.get(pid)!));
  let kb = 0;
  for (const pid of parent.keys()) {
    if (!ours(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      // process went away
    }
  }
  return kb / 1024;
}

async function pool<T>(items: T[], fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

const stack = await startStack();
try {
  const c = await signalChannel(stack);
  const ids: string[] = new Array(N);
  const t0 = performance.now();
  await pool(Array.from({ length: N }, (_, i) => i), async (i) => {
    const w = await stack.call("POST", "/api/signals/watches", { agent_id: c.agent.id, channel_id: c.channel.id, contains: `n${i}z`, lookback_s: 0, timeout_s: 3600 });
    ids[i] = w.id;
  });
  console.log(`created ${N} watches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const before = workerdRssMiB(stack.app.proc.pid!);
  const got = new Map<number, number>();
  const sockets: WebSocket[] = [];
  const t1 = performance.now();
  await pool(ids, async (id, i) => {
    const ws = new WebSocket(`${stack.app.url.replace("http", "ws")}/api/signals/watches/${id}/ws`, { headers: { authorization: `Bearer ${ADMIN}` } } as any);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.status === "waiting") resolve();
        if (m.status === "matched") got.set(i, performance.now());
      };
      ws.onerror = () => reject(new Error(`socket ${i} failed`));
    });
  });
  await new Promise((r) => setTimeout(r, 2000));
  const after = workerdRssMiB(stack.app.proc.pid!);
  console.log(`connected ${N} sockets in ${((performance.now() - t1) / 1000).toFixed(1)} s; workerd RSS ${before.toFixed(0)} MiB → ${after.toFixed(0)} MiB (+${((after - before) * 1024 / N).toFixed(1)} KiB per waiter)`);

  // One signal at a time, 10 000 waiting: how long until its waiter has it.
  const single: number[] = [];
  for (let k = 0; k < 200; k++) {
    const i = k * Math.floor(N / 200);
    const send = signedSms(stack, c, "+15550009999", `Your code is ${100000 + k} n${i}z`);
    const start = performance.now();
    await (await send()).arrayBuffer();
    while (!got.has(i)) await new Promise((r) => setTimeout(r, 0));
    single.push(got.get(i)! - start);
  }
  single.sort((a, b) => a - b);

  // The rest in a burst.
  const rest = ids.map((_, i) => i).filter((i) => !got.has(i));
  const t2 = performance.now();
  await pool(rest, async (i) => {
    await (await signedSms(stack, c, "+15550009999", `Your code is ${200000 + i} n${i}z`)()).arrayBuffer();
  });
  while (got.size < N) await new Promise((r) => setTimeout(r, 5));
  const burst = (performance.now() - t2) / 1000;
  for (const ws of sockets) ws.close();
  console.log(`deliver one (webhook sent → waiter has it, ${N} waiting): p50 ${percentile(single, 50).toFixed(2)} ms p99 ${percentile(single, 99).toFixed(2)} ms`);
  console.log(`deliver all: ${rest.length} more signals in ${burst.toFixed(1)} s (${(rest.length / burst).toFixed(0)} signals/s); every waiter got its own code: ${got.size === N}`);
  console.log(`waiters: n=${N} rss_per_waiter_kib=${((after - before) * 1024 / N).toFixed(1)} deliver_p99_ms=${percentile(single, 99).toFixed(2)} burst_signals_per_s=${(rest.length / burst).toFixed(0)}`);
} finally {
  await stack.stop();
}
