// Runs the built worker directly in Miniflare, without wrangler dev's proxy worker in front of it: one workerd
// process, a child of this one, serves the public port itself. Benchmarks that hold thousands of connections need
// this — through wrangler dev every connection costs descriptors in two workerd processes, and their memory mixes.
// The bindings mirror wrangler.toml (the AI binding has no local simulation and is left out).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { App } from "./stack.ts";

const TURNS = { maxBatchSize: 10, maxBatchTimeout: 1 };

/** `wrangler deploy --dry-run`: the worker module (first: Miniflare's main module) and the cedar .wasm it imports. */
function buildWorker(config: string, outdir: string) {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
  const r = spawnSync("wrangler", ["deploy", "--dry-run", "--config", config, "--outdir", outdir], { env, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error("wrangler deploy --dry-run failed");
  const wasm = readdirSync(outdir).filter((f) => f.endsWith(".wasm"));
  return ["index.js", ...wasm].map((f) => ({ type: f.endsWith(".wasm") ? ("CompiledWasm" as const) : ("ESModule" as const), path: path.join(outdir, f), contents: readFileSync(path.join(outdir, f)) }));
}

/** Every statement of migrations/*.sql, in order (drizzle-kit separates them with `--> statement-breakpoint`). */
function migrationStatements(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function startMiniflare(opts: { port: number; vars: Record<string, string>; config?: string }): Promise<App> {
  const work = mkdtempSync(path.join(tmpdir(), "textgate-mf-"));
  const modules = buildWorker(opts.config ?? "wrangler.toml", path.join(work, "dist"));
  // Modules are named relative to this root, so "./<hash>-cedar_wasm_bg.wasm" resolves next to index.js.
  const modulesRoot = path.join(work, "dist");
  // Miniflare 5 takes a new option shape; wrangler itself still writes v4 options and converts them, and so do we
  // (the conversion also keeps the dev registry off).
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: opts.port,
    cf: false,
    // BENCH_INSPECTOR_PORT=9333: attach a V8 inspector (CPU profiles of the worker: npm run bench:profile).
    ...(process.env.BENCH_INSPECTOR_PORT ? { inspectorPort: Number(process.env.BENCH_INSPECTOR_PORT) } : {}),
    logRequests: false,
    resourcePersistencePath: path.join(work, "state"),
    modulesRoot,
    modules,
    compatibilityDate: "2026-11-09",
    compatibilityFlags: ["nodejs_compat"],
    bindings: { TWILIO_API_BASE: "https://api.twilio.com", TWILIO_MESSAGING_API_BASE: "https://messaging.twilio.com", OPENAI_BASE_URL: "https://api.openai.com/v1", TURN_RETRY_DELAY_S: "5", VOICE_TWILIO_ACCOUNT_SID: "", VOICE_TWILIO_FROM_NUMBER: "", ...opts.vars },
    d1Databases: { DB: "textgate" },
    durableObjects: { CHANNEL: { className: "ChannelObject", useSQLite: true }, AUTH_GUARD: { className: "AuthGuard", useSQLite: true } },
    queueProducers: { TURNS: { queueName: "textgate-turns" } },
    queueConsumers: {
      "textgate-turns": { ...TURNS, maxRetries: 5, deadLetterQueue: "textgate-turns-dlq" },
      "textgate-turns-dlq": TURNS,
    },
  }));
  const stop = async () => {
    await mf.dispose();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const url = (await mf.ready).origin;
    const db = await mf.getD1Database("DB");
    for (const sql of migrationStatements("migrations")) await db.prepare(sql).run();
    return { url, port: opts.port, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
