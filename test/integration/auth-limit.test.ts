// Failed-credential limits per client: ten wrong tokens in ten minutes (admin bearer, agent key, sign-in form, in
// any mix) block that client for the rest of the window, the right token included. The clock is fixed and moved
// by hand; each test uses its own client addresses (CF-Connecting-IP).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, BASE, json, seedAgent } from "../helpers/api";

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const LIMIT = 10;
const WINDOW_S = 600;
let now = T0;
let ipSeq = 0;
/** A client address no other test uses, so blocks never leak between tests. */
const newClient = () => `198.51.100.${++ipSeq}`;

beforeEach(() => {
  now = T0;
  clock.now = () => now;
});
afterEach(() => {
  clock.now = () => Date.now();
  vi.restoreAllMocks();
});

const asClient = (ip: string, token: string) => ({ "cf-connecting-ip": ip, authorization: `Bearer ${token}` });

async function keyFor(agentId: string): Promise<string> {
  return (await json(api("POST", `/api/agents/${agentId}/keys`, {}))).key;
}

function signInForm(ip: string, token: string) {
  return exports.default.fetch(
    new Request(`${BASE}/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, "cf-connecting-ip": ip },
      body: new URLSearchParams({ token }).toString(),
      redirect: "manual",
    }),
  );
}

async function expectBlocked(res: Response, retryAfterS: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe(String(retryAfterS));
  if (res.headers.get("content-type")?.includes("json")) {
    expect(await res.json()).toMatchObject({ error: { code: "too_many_attempts", message: expect.stringContaining("minute") } });
  }
}

describe("wrong admin tokens", () => {
  it("block the client after ten, the right token too, until the window ends; other clients are unaffected", async () => {
    const ip = newClient();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (let i = 0; i < LIMIT; i++) expect((await api("GET", "/api/spaces", undefined, asClient(ip, `guess-${i}`))).status).toBe(401);
    await expectBlocked(await api("GET", "/api/spaces", undefined, asClient(ip, "guess-10")), WINDOW_S);
    await expectBlocked(await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN)), WINDOW_S);

    const other = newClient();
    expect((await api("GET", "/api/spaces", undefined, asClient(other, env.ADMIN_TOKEN))).status).toBe(200);
    expect((await api("GET", "/api/spaces", undefined, asClient(other, "nope"))).status).toBe(401);

    now += 100_000;
    await expectBlocked(await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN)), WINDOW_S - 100);
    const logged = warn.mock.calls.map((c) => c.join(" ")).join("\n");
    expect(logged).toContain(ip);
    expect(logged).toContain("too_many_attempts");
    expect(logged).not.toContain(env.ADMIN_TOKEN);
    expect(logged).not.toContain("guess-");
  });

  it("let the client in again once the window has passed", async () => {
    const ip = newClient();
    const start = now;
    for (let i = 0; i < LIMIT; i++) await api("GET", "/api/spaces", undefined, asClient(ip, "wrong"));
    await expectBlocked(await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN)), WINDOW_S);
    now = start + WINDOW_S * 1000 - 1000;
    await expectBlocked(await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN)), 1);
    now = start + WINDOW_S * 1000;
    // The window's alarm forgets the client: its guard keeps nothing.
    const guard = env.AUTH_GUARD.get(env.AUTH_GUARD.idFromName(ip));
    expect(await runDurableObjectAlarm(guard)).toBe(true);
    expect(await runInDurableObject(guard, (_o, state) => [...state.storage.kv.list()])).toEqual([]);
    expect((await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN))).status).toBe(200);
    // A fresh window: one more wrong token is one failure, not a block.
    expect((await api("GET", "/api/spaces", undefined, asClient(ip, "wrong"))).status).toBe(401);
  });

  it("count once each when they arrive all at once: ten are told 401, the rest 429", async () => {
    const ip = newClient();
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => api("GET", "/api/spaces", undefined, asClient(ip, `guess-${i}`))));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25 - LIMIT);
  });

  it("are forgiven by the right admin token before the limit", async () => {
    const ip = newClient();
    for (let i = 0; i < LIMIT - 1; i++) await api("GET", "/api/spaces", undefined, asClient(ip, "wrong"));
    expect((await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN))).status).toBe(200);
    for (let i = 0; i < LIMIT - 1; i++) expect((await api("GET", "/api/spaces", undefined, asClient(ip, "wrong"))).status).toBe(401);
    expect((await api("GET", "/api/spaces", undefined, asClient(ip, env.ADMIN_TOKEN))).status).toBe(200);
  });
});

describe("wrong agent keys", () => {
  it("count on the signals API and /mcp, and then a valid key is refused too", async () => {
    const { agent } = await seedAgent();
    const key = await keyFor(agent.id);
    const ip = newClient();
    for (let i = 0; i < LIMIT / 2; i++) expect((await api("GET", "/api/signals/watches", undefined, asClient(ip, `tgk_wrong${i}`))).status).toBe(401);
    for (let i = 0; i < LIMIT / 2; i++) {
      const res = await exports.default.fetch(
        new Request(`${BASE}/mcp`, { method: "POST", headers: { ...asClient(ip, `${key.slice(0, -2)}x${i}`), "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" }),
      );
      expect(res.status).toBe(401);
    }
    await expectBlocked(await api("GET", "/api/signals/watches", undefined, asClient(ip, key)), WINDOW_S);
    expect((await api("GET", "/api/signals/watches", undefined, asClient(newClient(), key))).status).toBe(200);
  });

  it("a revoked key counts as wrong; a valid key sent to an admin route is refused but not counted", async () => {
    const { agent } = await seedAgent();
    const made = await json(api("POST", `/api/agents/${agent.id}/keys`, {}));
    const valid = await keyFor(agent.id);
    await api("DELETE", `/api/agents/${agent.id}/keys/${made.id}`);
    const ip = newClient();
    for (let i = 0; i < 2 * LIMIT; i++) expect((await api("GET", "/api/channels", undefined, asClient(ip, valid))).status).toBe(401);
    expect((await api("GET", "/api/signals/watches", undefined, asClient(ip, valid))).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await api("GET", "/api/signals/watches", undefined, asClient(ip, made.key))).status).toBe(401);
    await expectBlocked(await api("GET", "/api/signals/watches", undefined, asClient(ip, valid)), WINDOW_S);
  });
});

describe("clients that are Cloudflare Workers", () => {
  // Every Worker's cross-zone subrequest arrives from one address (Cloudflare's docs: CF-Connecting-IP is then
  // 2a06:98c0:3600::103), with CF-Worker naming the calling Worker's zone, which Cloudflare sets.
  const fromWorker = (zone: string, token: string) => ({ "cf-connecting-ip": "2a06:98c0:3600::103", "cf-worker": zone, authorization: `Bearer ${token}` });

  it("are counted by their zone: a Worker sending wrong keys does not lock out agents running on other Workers", async () => {
    const { agent } = await seedAgent();
    const key = await keyFor(agent.id);
    for (let i = 0; i < LIMIT; i++) expect((await api("GET", "/api/signals/watches", undefined, fromWorker("attacker.example", `tgk_wrong${i}`))).status).toBe(401);
    await expectBlocked(await api("GET", "/api/signals/watches", undefined, fromWorker("attacker.example", key)), WINDOW_S);
    expect((await api("GET", "/api/signals/watches", undefined, fromWorker("agents.example", key))).status).toBe(200);
  });
});

describe("the sign-in form", () => {
  it("shares the count with bearer tokens, then shows a plain message with 429 and sets no cookie", async () => {
    const ip = newClient();
    for (let i = 0; i < LIMIT / 2; i++) expect((await api("GET", "/api/spaces", undefined, asClient(ip, "wrong"))).status).toBe(401);
    for (let i = 0; i < LIMIT / 2; i++) expect((await signInForm(ip, `wrong-${i}`)).status).toBe(401);
    for (const token of ["wrong-again", env.ADMIN_TOKEN]) {
      const res = await signInForm(ip, token);
      await expectBlocked(res, WINDOW_S);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain("Too many wrong tokens");
    }
    expect((await signInForm(newClient(), env.ADMIN_TOKEN)).status).toBe(303);
  });
});
