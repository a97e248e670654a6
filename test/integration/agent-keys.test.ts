// Per-agent API keys: made and revoked by the admin, stored only as a hash, and good only for the agent's own
// signal watches — never for the rest of /api.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json, refused, seedAgent } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { seedChannel, sms } from "../helpers/twilio";

// These tests make watches on "any signal-mode channel": left waiting, they would take later files' codes.
freshStorageEachTest();

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function keyFor(agentId: string, name?: string) {
  const res = await api("POST", `/api/agents/${agentId}/keys`, name === undefined ? {} : { name });
  expect(res.status).toBe(201);
  return res.json<any>();
}

async function twoAgents() {
  const a = await seedAgent();
  const b = await json(api("POST", "/api/agents", { name: "Other", space_id: a.space.id }));
  return { a: a.agent, b };
}

describe("agent keys", () => {
  it("shows the key once and stores only its SHA-256", async () => {
    const { agent } = await seedAgent();
    const made = await keyFor(agent.id, "laptop");
    expect(made).toMatchObject({ id: expect.stringMatching(/^key_/), agent_id: agent.id, name: "laptop", revoked_at: null, created_at: expect.any(String) });
    expect(made.key).toMatch(/^tgk_[A-Za-z0-9_-]{32,}$/);
    expect(made.key.startsWith(made.prefix)).toBe(true);

    const listed = await json<any[]>(api("GET", `/api/agents/${agent.id}/keys`));
    expect(listed).toEqual([{ id: made.id, agent_id: agent.id, prefix: made.prefix, name: "laptop", created_at: made.created_at, revoked_at: null }]);

    const row = await env.DB.prepare("SELECT * FROM agent_keys WHERE id = ?").bind(made.id).first<Record<string, unknown>>();
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(made.key));
    expect(row!.hash).toBe([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));
    expect(Object.values(row!)).not.toContain(made.key);
  });

  it("answers 404 for an unknown agent or key, and 400 for a bad body", async () => {
    const { a, b } = await twoAgents();
    await refused(api("POST", "/api/agents/ag_nope/keys", {}), 404, "not_found");
    await refused(api("GET", "/api/agents/ag_nope/keys"), 404, "not_found");
    await refused(api("DELETE", `/api/agents/${a.id}/keys/key_nope`), 404, "not_found");
    const bKey = await keyFor(b.id);
    // b's key, deleted through a's path: refused, and it still works.
    await refused(api("DELETE", `/api/agents/${a.id}/keys/${bKey.id}`), 404, "not_found");
    expect((await api("POST", "/api/signals/watches", { timeout_s: 60 }, bearer(bKey.key))).status).toBe(201);
    await refused(api("POST", `/api/agents/${a.id}/keys`, { name: "" }), 400, "validation_error", ["name"]);
    await refused(api("POST", `/api/agents/${a.id}/keys`, { name: "x", extra: 1 }), 400, "validation_error");
    expect(await json(api("GET", `/api/agents/${a.id}/keys`))).toEqual([]);
  });

  it("is refused everywhere under /api except the signals API", async () => {
    const { agent } = await seedAgent();
    const { key } = await keyFor(agent.id);
    for (const [method, path] of [
      ["GET", "/api/channels"],
      ["GET", "/api/spaces"],
      ["GET", `/api/agents/${agent.id}`],
      ["GET", `/api/agents/${agent.id}/keys`],
      ["POST", `/api/agents/${agent.id}/keys`],
      ["GET", "/api/policies"],
    ] as const) {
      const res = await api(method, path, method === "POST" ? {} : undefined, bearer(key));
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect((await api("POST", "/api/signals/watches", { timeout_s: 60 }, bearer(key))).status).toBe(201);
    // Paths that only look like they are under /api/signals do not reach other routes.
    for (const path of ["/api/signals/%2e%2e/channels", "/api/signals/%2E%2E/spaces", "/api/signals/..%2Fchannels", "/api/signals%2F..%2Fchannels"]) {
      const res = await api("GET", path, undefined, bearer(key));
      expect(res.status, path).not.toBe(200);
    }
  });

  it("is refused when wrong or revoked, with the error shape", async () => {
    const { agent } = await seedAgent();
    const made = await keyFor(agent.id);
    const wrong = await api("GET", "/api/signals/watches", undefined, bearer(`${made.key.slice(0, -2)}xx`));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await wrong.json()).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });

    expect((await api("GET", "/api/signals/watches", undefined, bearer(made.key))).status).toBe(200);
    const revoked = await json(api("DELETE", `/api/agents/${agent.id}/keys/${made.id}`));
    expect(revoked.revoked_at).toEqual(expect.any(String));
    expect((await api("GET", "/api/signals/watches", undefined, bearer(made.key))).status).toBe(401);
    // Revoking again keeps the first time.
    expect((await json(api("DELETE", `/api/agents/${agent.id}/keys/${made.id}`))).revoked_at).toBe(revoked.revoked_at);
  });

  it("leaves the admin token working on the signals API", async () => {
    const { agent } = await seedAgent();
    const res = await api("POST", "/api/signals/watches", { agent_id: agent.id, timeout_s: 60 });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ agent_id: agent.id, status: "waiting" });
  });
});

describe("an agent key on the signals API", () => {
  it("creates and reads its own agent's watches only", async () => {
    const { a, b } = await twoAgents();
    const { key } = await keyFor(a.id);
    const mine = await json(api("POST", "/api/signals/watches", { timeout_s: 60 }, bearer(key)));
    expect(mine).toMatchObject({ agent_id: a.id, status: "waiting" });
    expect((await api("GET", `/api/signals/watches/${mine.id}`, undefined, bearer(key))).status).toBe(200);

    const forB = await api("POST", "/api/signals/watches", { agent_id: b.id, timeout_s: 60 }, bearer(key));
    expect(forB.status).toBe(403);
    expect(await forB.json()).toMatchObject({ error: { code: "forbidden" } });

    const theirs = await json(api("POST", "/api/signals/watches", { agent_id: b.id, timeout_s: 60 }));
    expect((await api("GET", `/api/signals/watches/${theirs.id}`, undefined, bearer(key))).status).toBe(404);
    expect((await api("GET", `/api/signals/watches/${theirs.id}?wait=1`, undefined, bearer(key))).status).toBe(404);
    expect((await api("DELETE", `/api/signals/watches/${theirs.id}`, undefined, bearer(key))).status).toBe(404);
    expect((await api("GET", `/api/signals/watches/${theirs.id}/ws`, undefined, { ...bearer(key), upgrade: "websocket" })).status).toBe(404);
    expect((await json(api("GET", `/api/signals/watches/${theirs.id}`))).status).toBe("waiting");

    const listed = await json<any[]>(api("GET", "/api/signals/watches", undefined, bearer(key)));
    expect(listed.map((w) => w.id)).toEqual([mine.id]);

    const ws = await api("GET", `/api/signals/watches/${mine.id}/ws`, undefined, { ...bearer(key), upgrade: "websocket" });
    expect(ws.status).toBe(101);
    ws.webSocket!.accept();
    ws.webSocket!.close();
    expect((await json(api("DELETE", `/api/signals/watches/${mine.id}`, undefined, bearer(key)))).status).toBe("cancelled");
  });
});

describe("revoking a key", () => {
  it("ends the watches made with it: a WebSocket opened before the revocation is told cancelled and never gets the code", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const { id: keyId, key } = await keyFor(agent.id);
    const { key: other } = await keyFor(agent.id);
    const w = await json(api("POST", "/api/signals/watches", { channel_id: channel.id, timeout_s: 600, lookback_s: 0 }, bearer(key)));
    const kept = await json(api("POST", "/api/signals/watches", { channel_id: channel.id, timeout_s: 600, lookback_s: 0, contains: "never" }, bearer(other)));
    const socket = await api("GET", `/api/signals/watches/${w.id}/ws`, undefined, { ...bearer(key), upgrade: "websocket" });
    expect(socket.status).toBe(101);
    const ws = socket.webSocket!;
    const settled = new Promise<any>((resolve) =>
      ws.addEventListener("message", (e) => {
        const m = JSON.parse(e.data as string);
        if (m.status !== "waiting") resolve(m);
      }),
    );
    ws.accept();
    expect((await api("DELETE", `/api/agents/${agent.id}/keys/${keyId}`)).status).toBe(200);
    await sms(channel, account.token, "+15550009999", "Your code is 482913");
    expect(await settled).toEqual({ id: w.id, status: "cancelled" });
    ws.close();
    // The agent's watches made with its other key go on.
    expect(await json(api("GET", `/api/signals/watches/${kept.id}`))).toMatchObject({ status: "waiting" });
  });
});
