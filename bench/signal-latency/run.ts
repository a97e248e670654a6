// bench/signal-latency: how long after Twilio's webhook is accepted a waiting agent has its code, for long-poll and
// WebSocket waiters, over ≥ 1000 signals against local wrangler dev. For each signal: a watch waits (filtered to
// that signal's nonce), the signed webhook is posted, and we record when the webhook answered and when the
// waiter resolved. "Beyond the webhook" = waiter resolved − webhook answered (negative: resolved before the
// webhook even returned). Target p99 ≤ 5 ms, with a watch with instructions judging every signal on the same
// channel meanwhile (watches without instructions keep their latency).
import { ADMIN, signalChannel, signedSms, startStack } from "../lib/stack.ts";
import { percentile } from "../lib/wrangler-dev.ts";
import { resumeLatency } from "./resume.ts";

const N = Number(process.env.BENCH_SIGNALS ?? 1000);
const RESUMES = Number(process.env.BENCH_RESUMES ?? 200);
// One phone starts every resumed conversation's turn: the per-sender turn limit must not cut the run short.
const stack = await startStack({ vars: { MAX_TURNS_PER_SENDER_PER_HOUR: String(10 * RESUMES + 100) } });
try {
  const c = await signalChannel(stack);
  const modes = ["long-poll", "websocket"] as const;
  const results: Record<string, { beyond: number[]; webhook: number[] }> = {};
  const judgedEvaluations: number[] = [];
  for (const mode of modes) {
    const beyond: number[] = [];
    const webhook: number[] = [];
    // A watch with instructions on the same channel has every signal judged (builtin:echo, which turns each down)
    // while the deterministic watches are measured: its candidates are queued on the webhook's path and judged on
    // the object's schedule, and must not slow the watches without instructions.
    const judged = await stack.call("POST", "/api/signals/watches", {
      agent_id: c.agent.id,
      channel_id: c.channel.id,
      contains: "code",
      lookback_s: 0,
      timeout_s: 3600,
      mode: "continuous",
      instructions: 'Only a message that says "never sent".',
      max_evaluations: 500,
    });
    for (let i = 0; i < N + 20; i++) {
      const nonce = `${mode === "websocket" ? "W" : "L"}${i.toString(36)}x${Math.random().toString(36).slice(2, 6)}`;
      const watch = await stack.call("POST", "/api/signals/watches", { agent_id: c.agent.id, channel_id: c.channel.id, contains: nonce, lookback_s: 0, timeout_s: 120 });
      const send = signedSms(stack, c, "+15550009999", `Your code is ${100000 + (i % 899999)} (${nonce})`);
      let resolved: Promise<number>;
      if (mode === "long-poll") {
        resolved = fetch(`${stack.app.url}/api/signals/watches/${watch.id}?wait=30`, { headers: { authorization: `Bearer ${ADMIN}` } }).then(async (r) => {
          const body = await r.json();
          if (body.status !== "matched") throw new Error(`watch ${watch.id}: ${body.status}`);
          return performance.now();
        });
        // Give the long-poll time to park in the object before the signal arrives.
        await new Promise((r) => setTimeout(r, 2));
      } else {
        const ws = new WebSocket(`${stack.app.url.replace("http", "ws")}/api/signals/watches/${watch.id}/ws`, { headers: { authorization: `Bearer ${ADMIN}` } } as any);
        resolved = new Promise<number>((resolve, reject) => {
          ws.onmessage = (e) => {
            const m = JSON.parse(String(e.data));
            if (m.status === "matched") {
              resolve(performance.now());
              ws.close();
            }
          };
          ws.onerror = () => reject(new Error("websocket error"));
        });
        await new Promise<void>((r) => ws.addEventListener("message", () => r(), { once: true }));
      }
      const t0 = performance.now();
      const res = await send();
      await res.arrayBuffer();
      const accepted = performance.now();
      const at = await resolved;
      if (i >= 20) {
        beyond.push(at - accepted);
        webhook.push(accepted - t0);
      }
    }
    results[mode] = { beyond: beyond.sort((a, b) => a - b), webhook: webhook.sort((a, b) => a - b) };
    judgedEvaluations.push((await stack.call("DELETE", `/api/signals/watches/${judged.id}`)).judge.evaluation_count);
  }
  for (const mode of modes) {
    const r = results[mode]!;
    console.log(
      `${mode.padEnd(10)} n=${r.beyond.length}  webhook p50 ${percentile(r.webhook, 50).toFixed(2)} ms p99 ${percentile(r.webhook, 99).toFixed(2)} ms  ` +
        `waiter beyond webhook p50 ${percentile(r.beyond, 50).toFixed(2)} ms p99 ${percentile(r.beyond, 99).toFixed(2)} ms`,
    );
  }
  const lp = results["long-poll"]!;
  const ws = results.websocket!;
  const worst = Math.max(percentile(lp.beyond, 99), percentile(ws.beyond, 99));
  console.log(
    `signal-latency: longpoll_p99_beyond=${percentile(lp.beyond, 99).toFixed(2)}ms websocket_p99_beyond=${percentile(ws.beyond, 99).toFixed(2)}ms ` +
      `ratio_to_webhook_p50=${(worst / percentile(lp.webhook, 50)).toFixed(2)} (target p99 <= 5 ms; a judged watch on the channel meanwhile: ${judgedEvaluations.join(" + ")} candidates judged)`,
  );
  if (worst > 5) process.exitCode = 1;

  const resumed = await resumeLatency(stack, c, RESUMES);
  console.log(
    `resume     n=${resumed.length}  webhook accepted -> continuation SMS sent p50 ${percentile(resumed, 50).toFixed(1)} ms p99 ${percentile(resumed, 99).toFixed(1)} ms ` +
      `(deterministic watches meanwhile: p99 ${worst.toFixed(2)} ms beyond the webhook, target <= 5 ms)`,
  );
} finally {
  await stack.stop();
}
