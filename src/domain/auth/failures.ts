// Failed-credential limits: a client's wrong tokens are counted in a fixed window that opens at its first failure;
// at the limit the client is blocked for the rest of that window, whatever it sends. Pure, so the rule can be read
// and tested apart from the Durable Object that keeps the count.

export const AUTH_FAILURE_LIMIT = 10;
export const AUTH_WINDOW_MS = 10 * 60_000;

/** One client's failures in the current window. */
export interface FailureWindow {
  openedAt: number;
  failures: number;
}

export type AuthVerdict = { status: "open" } | { status: "blocked"; retryAfterS: number };
export type FailureVerdict = { status: "counted"; failures: number; limit: number } | { status: "blocked"; retryAfterS: number };

/** The window still in force at `now`, or null when there is none (never failed, or it has ended). */
export function current(w: FailureWindow | null, now: number): FailureWindow | null {
  return w && now < w.openedAt + AUTH_WINDOW_MS ? w : null;
}

export function verdict(w: FailureWindow | null, now: number): AuthVerdict {
  const open = current(w, now);
  if (!open || open.failures < AUTH_FAILURE_LIMIT) return { status: "open" };
  return { status: "blocked", retryAfterS: Math.max(1, Math.ceil((open.openedAt + AUTH_WINDOW_MS - now) / 1000)) };
}

/** Counts one more failure, unless the client is already blocked (then nothing changes). */
export function afterFailure(w: FailureWindow | null, now: number): { window: FailureWindow; verdict: FailureVerdict } {
  const before = verdict(w, now);
  const open = current(w, now);
  if (before.status === "blocked") return { window: open!, verdict: before };
  const window = { openedAt: open?.openedAt ?? now, failures: (open?.failures ?? 0) + 1 };
  return { window, verdict: { status: "counted", failures: window.failures, limit: AUTH_FAILURE_LIMIT } };
}

/**
 * The address every Cloudflare Worker's cross-zone subrequest arrives from (CF-Connecting-IP), whichever Worker
 * sent it: counted by address alone, one Worker sending wrong tokens would lock out every agent hosted on Workers.
 */
export const WORKERS_EGRESS = "2a06:98c0:3600::103";

/**
 * The key a client is counted under: its address (CF-Connecting-IP), an IPv6 address by its /64 (one subscriber
 * usually holds the whole prefix), a Worker by the zone CF-Worker names (Cloudflare sets it on a Worker's
 * subrequests; only they come from WORKERS_EGRESS), and "local" when there is no address (local runs and tests).
 */
export function clientKey(address: string | null | undefined, workerZone?: string | null): string {
  const addr = address?.trim().toLowerCase().slice(0, 64);
  if (!addr) return "local";
  const zone = workerZone?.trim().toLowerCase().slice(0, 253);
  if (addr === WORKERS_EGRESS && zone) return `worker:${zone}`;
  if (!addr.includes(":") || addr.includes(".")) return addr;
  const [head = "", tail] = addr.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
