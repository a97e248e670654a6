// The browser test (`npm run test:e2e`): the whole local stack and Debian's chromium through playwright-core, doing
// what a new user does — sign in, add a channel, pair a phone from the emulator's /phone page, text the agent, switch
// to signal mode, start and cancel signal watches, edit and test policies, delete a channel — asserting every step
// and saving the screenshots the README shows (docs/screenshots/NN-name.png). A step never skips: a missing route or
// an API error fails the run, which exits non-zero on the first failure.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { channelSteps } from "./channel-steps.ts";
import { check, progress, SHOTS, type Flow } from "./harness.ts";
import { settingsSteps } from "./settings-steps.ts";
import { signalSteps } from "./signal-steps.ts";
import { startLocalStack } from "./stack.ts";

const FAILURES = path.resolve("test/screenshots");
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** The flow's own limit; starting wrangler dev comes before it and takes minutes on a loaded machine. */
const WATCHDOG_MS = 240_000;
const started = Date.now();

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  console.log("e2e: starting the Twilio emulator and wrangler dev…");
  const stack = await startLocalStack();
  const watchdog = setTimeout(() => {
    console.error(`✗ timed out after ${WATCHDOG_MS / 1000} s during: ${progress.current}`);
    process.exit(1);
  }, WATCHDOG_MS);
  console.log(`e2e: textgate at ${stack.app.url}, emulator phone at ${stack.emulator.url}/phone (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const profile = mkdtempSync(path.join(tmpdir(), "textgate-e2e-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1100, height: 860 } });
  let failed = false;
  try {
    const ui = ctx.pages()[0] ?? (await ctx.newPage());
    ui.setDefaultTimeout(15_000);
    // Script errors and CSP refusals fail the run; HTTP errors the page handles (400s it shows) are expected.
    const problems: string[] = [];
    ui.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    ui.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(`console: ${m.text()}`));
    const phone = await ctx.newPage();
    phone.setDefaultTimeout(20_000);
    const flow: Flow = { stack, ctx, base: stack.app.url, ui, phone, channelId: "" };
    await channelSteps(flow);
    await signalSteps(flow);
    await settingsSteps(flow);
    check(problems.length === 0, `no script errors in the settings pages:\n${problems.join("\n")}`);
    check(stack.emulator.unexpected.length === 0, `no unexpected Twilio calls (${stack.emulator.unexpected.join(", ")})`);
  } catch (e) {
    failed = true;
    mkdirSync(FAILURES, { recursive: true });
    for (const [i, page] of ctx.pages().entries()) await page.screenshot({ path: path.join(FAILURES, `failure-${i}.png`), fullPage: true }).catch(() => {});
    console.error(`✗ ${progress.current}\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n  screenshots of the open pages: ${FAILURES}/failure-*.png`);
  } finally {
    await ctx.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    await stack.stop();
    clearTimeout(watchdog);
  }
  console.log(failed ? "e2e: FAILED" : `e2e: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in docs/screenshots/`);
  process.exit(failed ? 1 : 0);
}

await main();
