// The failed-credential rule on its own: a fixed window from the first failure, a block at the limit for the rest
// of it, and the client key an address is counted under.
import { describe, expect, it } from "vitest";
import { afterFailure, AUTH_FAILURE_LIMIT, AUTH_WINDOW_MS, clientKey, verdict, type FailureWindow } from "../../../src/domain/auth/failures";

describe("failure window", () => {
  it("blocks at the limit for the rest of the window, then forgets", () => {
    let w: FailureWindow | null = null;
    const t0 = 1_000_000;
    for (let i = 1; i <= AUTH_FAILURE_LIMIT; i++) {
      const r = afterFailure(w, t0 + i * 1000);
      expect(r.verdict).toEqual({ status: "counted", failures: i, limit: AUTH_FAILURE_LIMIT });
      w = r.window;
    }
    expect(w).toEqual({ openedAt: t0 + 1000, failures: AUTH_FAILURE_LIMIT });
    expect(verdict(w, t0 + 20_000)).toEqual({ status: "blocked", retryAfterS: (AUTH_WINDOW_MS - 19_000) / 1000 });
    // A failure while blocked changes nothing.
    expect(afterFailure(w, t0 + 20_000)).toEqual({ window: w, verdict: { status: "blocked", retryAfterS: (AUTH_WINDOW_MS - 19_000) / 1000 } });
    expect(verdict(w, t0 + 1000 + AUTH_WINDOW_MS - 1)).toEqual({ status: "blocked", retryAfterS: 1 });
    expect(verdict(w, t0 + 1000 + AUTH_WINDOW_MS)).toEqual({ status: "open" });
    expect(afterFailure(w, t0 + 1000 + AUTH_WINDOW_MS).window).toEqual({ openedAt: t0 + 1000 + AUTH_WINDOW_MS, failures: 1 });
  });
});

describe("clientKey", () => {
  it("keys IPv4 by address, IPv6 by its /64, and no address as local", () => {
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey(undefined)).toBe("local");
    expect(clientKey("  ")).toBe("local");
    expect(clientKey("2001:DB8:0a:0b:1:2:3:4")).toBe("2001:db8:a:b::/64");
    expect(clientKey("2001:db8:a:b::1")).toBe("2001:db8:a:b::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    // IPv4-mapped addresses keep the whole address, not a shared all-zero prefix.
    expect(clientKey("::ffff:203.0.113.9")).toBe("::ffff:203.0.113.9");
  });

  it("keys Cloudflare Workers by the zone CF-Worker names, and trusts CF-Worker from nowhere else", () => {
    expect(clientKey("2a06:98c0:3600::103", "Agents.Example")).toBe("worker:agents.example");
    expect(clientKey("2a06:98c0:3600::103", null)).toBe("2a06:98c0:3600:0::/64");
    expect(clientKey("203.0.113.9", "agents.example")).toBe("203.0.113.9");
    expect(clientKey("2001:db8::1", "agents.example")).toBe("2001:db8:0:0::/64");
  });
});
