// The emulator's phone page in a real browser (Debian chromium through playwright-core), without the app: a small
// Node server stands in for textgate's webhook. On a phone-sized screen, a long thread must scroll inside the page
// while the text box stays on screen, and texts must go out from short codes and sender ids as well as numbers.
// Run by `npm run test:e2e` after the full flow; exits non-zero on the first failure.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { startFakeTwilio } from "../../emulator/twilio.ts";

const NUMBER = "+15005550006";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

// The app's webhook: remembers who texted what, answers with empty TwiML.
const received: { from: string; body: string }[] = [];
const app = createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const form = new URLSearchParams(raw);
    received.push({ from: form.get("From") ?? "", body: form.get("Body") ?? "" });
    res.writeHead(200, { "content-type": "text/xml" }).end("<Response/>");
  });
});
await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
const emulator = await startFakeTwilio(0);
const acct = emulator.addAccount({ numbers: [{ phone_number: NUMBER }] });
acct.numbers[0]!.sms_url = `http://127.0.0.1:${(app.address() as { port: number }).port}/sms`;

const profile = mkdtempSync(path.join(tmpdir(), "textgate-e2e-phone-"));
const ctx = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 390, height: 640 } });
let failed = false;
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15_000);
  await page.goto(`${emulator.url}/phone`);
  await page.locator(`#to option[value="${NUMBER}"]`).waitFor({ state: "attached" });
  const thread = page.locator("#thread li");

  // A short code and a sender id, as services text from; then the phone number again.
  for (const from of ["22000", "BANK"]) {
    await page.locator("#from").fill(from);
    await page.locator("#from").dispatchEvent("change");
    await page.locator("#body").fill(`Your code is 1234 (from ${from})`);
    await page.getByRole("button", { name: "Send" }).click();
    await thread.filter({ hasText: `from ${from}` }).and(page.locator('[data-status="delivered to textgate"]')).waitFor();
    check(received.some((r) => r.from === from), `the webhook came From=${from}`);
  }
  await page.locator("#from").fill("not a sender!");
  await page.locator("#from").dispatchEvent("change");
  await page.locator("#body").fill("hello");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByRole("alert").filter({ hasText: "short code" }).waitFor();
  console.log("  ✓ texts from a short code (22000) and a sender id (BANK); an invalid sender is explained");

  await page.locator("#from").fill("+15551230000");
  await page.locator("#from").dispatchEvent("change");
  for (let i = 1; i <= 40; i++) {
    await page.locator("#body").fill(`message ${i}: ${"a long line of text ".repeat(3)}`);
    await page.getByRole("button", { name: "Send" }).click();
  }
  await thread.filter({ hasText: "message 40:" }).waitFor();
  const viewport = page.viewportSize()!;
  const box = await page.locator("#body").boundingBox();
  check(box && box.y >= 0 && box.y + box.height <= viewport.height, `the text box stays on screen (at y=${box?.y}, screen ${viewport.height})`);
  const send = await page.getByRole("button", { name: "Send" }).boundingBox();
  check(send && send.y + send.height <= viewport.height, "the Send button stays on screen");
  const scroll = await page.locator("#thread").evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, scrollTop: el.scrollTop }));
  check(scroll.scrollHeight > scroll.clientHeight, "the thread is longer than its box, so it scrolls");
  check(Math.abs(scroll.scrollTop + scroll.clientHeight - scroll.scrollHeight) < 2, "the thread is scrolled to the newest text");
  check(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight), "the page itself does not scroll");
  console.log("  ✓ a 40-text thread scrolls inside the page; the text box and Send stay on screen");
} catch (e) {
  failed = true;
  console.error(`✗ phone page\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  await ctx.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  await emulator.close();
  app.close();
}
console.log(failed ? "e2e phone: FAILED" : "e2e phone: passed");
process.exit(failed ? 1 : 0);
