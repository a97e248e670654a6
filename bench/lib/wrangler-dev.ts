// Starts `wrangler dev` for a benchmark on a free port with its own local state directory, and waits until it
// answers. Benchmarks compare textgate against a bare worker on the same machine in the same run.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startWranglerDev(opts: { config: string; vars?: Record<string, string>; migrate?: boolean; port?: number }): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const persist = mkdtempSync(path.join(tmpdir(), "textgate-bench-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
  if (opts.migrate) {
    const r = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--config", opts.config, "--persist-to", persist], { env, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) throw new Error("migrations failed");
  }
  const varFlags = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const proc = spawn("wrangler", ["dev", "--local", "--config", opts.config, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persist, "--log-level", "error", ...varFlags], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`wrangler dev (${opts.config}) did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    port,
    proc,
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", () => {
          // The benchmark's local state is throwaway: leave no directories behind in /tmp.
          rmSync(persist, { recursive: true, force: true });
          resolve();
        });
        proc.kill("SIGTERM");
        setTimeout(() => proc.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  count: number;
  seconds: number;
  /** Every request's latency in ms, sorted. */
  latencies: number[];
}

/** The p-th percentile of ascending `sorted`. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs `requests` with `concurrency` in flight; returns throughput and latency percentiles. */
export async function load(requests: (() => Promise<Response>)[], concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const send = requests[next++]!;
        const t0 = performance.now();
        const res = await send();
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: requests.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures, count: requests.length, seconds, latencies };
}

/** Several runs of one target as one: total requests over total time, percentiles over every latency. */
export function combine(runs: LoadResult[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((t, r) => t + r.seconds, 0);
  const count = runs.reduce((t, r) => t + r.count, 0);
  const failures = runs.reduce((t, r) => t + r.failures, 0);
  return { rps: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures, count, seconds, latencies };
}
