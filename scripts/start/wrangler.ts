// How `npm start` runs wrangler: quietly by default — the migrations' tables and wrangler's banner, bindings table
// and info lines are kept back, while warnings and errors (a failed migration, a crash, the app's console.warn and
// console.error) still show — or with everything under --verbose.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/**
 * Applies the D1 migrations to the local database. Quiet: prints nothing unless it fails, then all of wrangler's
 * output. Returns how many migrations were applied (null when verbose: wrangler printed it).
 */
export function applyMigrations(opts: { verbose: boolean; persistTo?: string }): { ok: boolean; applied: number | null } {
  const args = ["d1", "migrations", "apply", "DB", "--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
  // CI=true: wrangler applies without asking.
  const run = spawnSync("wrangler", args, { env: { ...env, CI: "true" }, stdio: opts.verbose ? ["ignore", "inherit", "inherit"] : "pipe", encoding: "utf8" });
  if (opts.verbose) return { ok: run.status === 0, applied: null };
  if (run.status !== 0) {
    process.stderr.write(`textgate: applying the database migrations failed (wrangler ${args.join(" ")}):\n${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}\n`);
    return { ok: false, applied: 0 };
  }
  return { ok: true, applied: Number(/About to apply (\d+) migration/.exec(run.stdout)?.[1] ?? 0) };
}

/** Warnings that say nothing true about a local, offline `npm start`; --verbose still shows them. */
const NOISE = [
  // The AI binding is not used locally (--local): nothing remote is called, nothing is charged.
  /bindings always access remote resources, and so may incur usage charges/,
  // The hourly retention sweep is a deployment's job; locally there is nothing old to sweep.
  /Scheduled Workers are not automatically triggered during local development/,
];
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Copies wrangler's output to `out`, leaving out the NOISE warnings. A wrangler warning is its "▲ [WARNING]" line
 * and the indented or blank lines under it, so the whole block goes.
 */
function filtered(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream) {
  let dropping = false;
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
    const plain = line.replace(ANSI, "");
    if (dropping && (plain.trim() === "" || /^\s/.test(plain))) return;
    dropping = NOISE.some((n) => n.test(plain));
    if (!dropping) out.write(`${line}\n`);
  });
}

/** `wrangler dev --local`, quiet (warnings and errors only, NOISE left out) unless verbose. */
export function startWranglerDev(args: string[], opts: { verbose: boolean }): ChildProcess {
  if (opts.verbose) return spawn("wrangler", ["dev", "--local", ...args], { env, stdio: "inherit" });
  const logLevel = args.some((a) => a === "--log-level" || a.startsWith("--log-level=")) ? [] : ["--log-level", "warn"];
  const dev = spawn("wrangler", ["dev", "--local", ...logLevel, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  filtered(dev.stdout!, process.stdout);
  filtered(dev.stderr!, process.stderr);
  return dev;
}

/** Resolves when the app answers /healthz, or rejects when wrangler exits (or cannot start) first. */
export async function whenReady(dev: ChildProcess, url: string): Promise<void> {
  let stopped: string | null = null;
  dev.once("exit", (code) => (stopped = `wrangler dev exited (code ${code ?? 1}) before the app was ready`));
  dev.once("error", (e) => (stopped = `wrangler dev did not start: ${e.message}`));
  for (;;) {
    if (stopped !== null) throw new Error(stopped);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
