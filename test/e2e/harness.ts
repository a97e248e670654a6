// What every browser-test step shares: the assertion that fails the run, step timing, the README screenshots, and
// answering the confirmation dialogs the settings pages ask (a dialog nobody expected fails the run).
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { LocalStack } from "./stack.ts";

export const SHOTS = path.resolve("docs/screenshots");
export const PHONE = "+15551230000";

export interface Flow {
  stack: LocalStack;
  ctx: BrowserContext;
  base: string;
  ui: Page;
  phone: Page;
  channelId: string;
}

export const progress = { current: "start" };

export function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

export async function step(name: string, fn: () => Promise<void>) {
  progress.current = name;
  const t0 = Date.now();
  await fn();
  console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Does `act`, which must open a confirmation dialog; accepts or dismisses it and returns what it asked. */
export async function confirmDialog(page: Page, accept: boolean, act: () => Promise<void>): Promise<string> {
  const dialog = page.waitForEvent("dialog", { timeout: 5_000 });
  const acted = act();
  const d = await dialog;
  const asked = d.message();
  await (accept ? d.accept() : d.dismiss());
  await acted;
  return asked;
}

/** Texts `body` from the emulator phone and waits until textgate has taken it. */
export async function textFromPhone(f: Flow, body: string) {
  await f.phone.locator("#body").fill(body);
  await f.phone.getByRole("button", { name: "Send" }).click();
  await f.phone.locator("#thread li").filter({ hasText: body }).and(f.phone.locator('[data-status="delivered to textgate"]')).waitFor();
}
