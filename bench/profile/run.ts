// bench/profile: where a signed inbound webhook spends the worker's CPU. Runs the built worker in Miniflare with a
// V8 inspector attached, posts BENCH_REQUESTS signed SMS to a signal-mode channel while the CPU profiler samples,
// and prints the functions with the most inclusive and self time (µs per request). The full profile is written to
// bench/profile/last.cpuprofile (open it in Chrome DevTools → Performance, or VS Code).
//
// Not a pass/fail benchmark: it is the tool behind the numbers in README's benchmark section.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { signalChannel, signedSms, startStack } from "../lib/stack.ts";
import { freePort, load } from "../lib/wrangler-dev.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const PHONE = "+15557770001";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client over the runtime's inspector WebSocket. */
async function inspector(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  let next = 0;
  const pending = new Map<number, (result: any) => void>();
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(String(e.data));
    if (m.id !== undefined) pending.get(m.id)?.(m.result), pending.delete(m.id);
  });
  return {
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<any>((resolve) => {
        pending.set(++next, resolve);
        ws.send(JSON.stringify({ id: next, method, params }));
      }),
    close: () => ws.close(),
  };
}

function summarize(profile: Profile, perRequest: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((sample, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(sample)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const key = label(byId.get(id)!);
      if (!seen.has(key)) seen.add(key), inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const top = (m: Map<string, number>, skip: (k: string) => boolean) =>
    [...m].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, us]) => `${(us / perRequest).toFixed(0).padStart(7)} µs  ${k}`);
  const generic = (k: string) => /^\((root|program|idle|garbage collector)\)/.test(k);
  console.log(`idle: ${(((self.get("(idle) :0") ?? 0) / perRequest) | 0) } µs/request (this isolate waiting: I/O, other isolates)`);
  console.log("\ninclusive (µs per request)\n" + top(inclusive, generic).join("\n"));
  console.log("\nself (µs per request)\n" + top(self, () => false).join("\n"));
}

const port = await freePort();
process.env.BENCH_INSPECTOR_PORT = String(port);
const stack = await startStack({ runtime: "miniflare" });
try {
  const c = await signalChannel(stack);
  const paired = await stack.twilio.sendInbound(c.account.sid, { from: PHONE, body: c.channel.pairing.code });
  if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status}`);
  const requests = (n: number) => Array.from({ length: n }, (_, i) => signedSms(stack, c, PHONE, `profile message ${i}`));
  await load(requests(200), 16); // warm: JIT, caches, SQLite pages

  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { title: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.webSocketDebuggerUrl.includes("core:user"));
  if (!target) throw new Error(`no user worker among inspector targets: ${targets.map((t) => t.title).join(", ")}`);
  const cdp = await inspector(target.webSocketDebuggerUrl);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const run = await load(requests(N), 16);
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: Profile };
  cdp.close();

  const out = path.join(import.meta.dirname, "last.cpuprofile");
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${N} signed webhooks, concurrency 16, Miniflare (no wrangler dev proxy): ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(1)} ms`);
  summarize(profile, N);
  console.log(`\nprofile: ${path.relative(process.cwd(), out)}`);
} finally {
  await stack.stop();
}
