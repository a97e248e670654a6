// `npm start` when it cannot start: a port another process holds, or an emulator state file it cannot read. It must
// say what is wrong and what to do, exit 1, and start nothing (no .dev.vars, no wrangler), not die with a stack.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const held: Server[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];

/** An empty directory to run in: nothing there for start.ts to find or to leave behind unnoticed. */
function emptyDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "textgate-start-"));
  dirs.push(dir);
  return dir;
}

/** Runs scripts/start.ts in `cwd`; resolves with its exit code and everything it printed. */
function start(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Killed if it outlives its test (a loaded machine, a bug): none may go on to start anything once the ports
    // it was meant to find taken are let go.
    const child = spawn(process.execPath, [TSX, path.join(ROOT, "scripts/start.ts"), ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000, killSignal: "SIGKILL" });
    children.push(child);
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** Holds a port on 127.0.0.1, as a running textgate would. */
async function hold(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  held.push(server);
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on (held a moment to learn it, then let go). */
async function free(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Each case spawns its own start.ts (a second or more of tsx start-up): they run side by side.
describe.concurrent("npm start", { timeout: 30_000 }, () => {
  it("names the app's port when it is taken, says another textgate may be running and how to pick other ports", async () => {
    const cwd = emptyDir();
    const port = await hold();
    const { code, output } = await start(cwd, ["--port", String(port)], { TWILIO_EMULATOR_PORT: String(await free()) });
    expect(code).toBe(1);
    expect(output).toContain(`port ${port} (the app: --port) is already in use`);
    expect(output).toContain("Another textgate (`npm start`) may be running");
    expect(output).toMatch(/npm start -- --port \d+/);
    expect(output).toContain("TWILIO_EMULATOR_PORT=");
    expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
    expect(existsSync(path.join(cwd, ".dev.vars"))).toBe(false);
  });

  it("names the emulator's port (--port + 1 by default) when that one is taken", async () => {
    const emulatorPort = await hold();
    const port = emulatorPort - 1;
    const { code, output } = await start(emptyDir(), ["--port", String(port)]);
    expect(code).toBe(1);
    expect(output).toContain(`port ${emulatorPort} (the Twilio emulator: TWILIO_EMULATOR_PORT, default --port + 1) is already in use`);
    expect(output).not.toContain(`port ${port} `);
    expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
  });

  it("refuses an emulator state file it cannot read, saying which file and how to start afresh", async () => {
    const cwd = emptyDir();
    mkdirSync(path.join(cwd, ".wrangler/state"), { recursive: true });
    writeFileSync(path.join(cwd, ".wrangler/state/twilio-emulator.json"), '{"version":1,"acc');
    const { code, output } = await start(cwd, ["--port", String(await free())], { TWILIO_EMULATOR_PORT: String(await free()) });
    expect(code).toBe(1);
    expect(output).toContain("textgate: The Twilio emulator's state file .wrangler/state/twilio-emulator.json is not valid JSON");
    expect(output).toContain("rm .wrangler/state/twilio-emulator.json");
    expect(output).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(cwd, ".dev.vars"))).toBe(false);
  });
});
