// /mcp end to end: the protocol handshake and tool listing as raw JSON-RPC over streamable HTTP, and a real MCP
// client (the official SDK's) calling await_signal while the code arrives by SMS. Auth is an agent API key.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { BASE, api, json, call } from "../helpers/api";
import { fakeState, seedChannel, sms } from "../helpers/twilio";

const BANK = "+15550009999";

async function setup() {
  const signals = await seedChannel({ dispatch_mode: "signal" });
  const made = await json(api("POST", `/api/agents/${signals.agent.id}/keys`, { name: "mcp" }));
  return { ...signals, key: made.key as string, keyId: made.id as string };
}

function post(key: string | null, message: unknown, headers: Record<string, string> = {}) {
  return call(
    new Request(`${BASE}/mcp`, {
      method: "POST",
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
        ...headers,
      },
      body: JSON.stringify(message),
    }),
  );
}

/** The JSON-RPC message with `id` from a response that is either JSON or an SSE stream. */
async function reply(res: Response, id: number): Promise<any> {
  expect(res.status).toBe(200);
  const text = await res.text();
  const messages = res.headers.get("content-type")?.startsWith("text/event-stream")
    ? text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)))
    : [JSON.parse(text)];
  const found = messages.find((m) => m.id === id);
  expect(found, text).toBeDefined();
  return found;
}

const initialize = (protocolVersion: string) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "test", version: "1" } },
});

async function waitingWatch(channelId: string) {
  return vi.waitFor(
    async () => {
      const list = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${channelId}`));
      const waiting = list.find((w) => w.status === "waiting");
      if (!waiting) throw new Error("no waiting watch yet");
      return waiting;
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe("/mcp protocol", () => {
  it("negotiates the protocol version and lists await_signal with its JSON schema", async () => {
    const { key } = await setup();
    const init = await reply(await post(key, initialize("2025-06-18")), 1);
    expect(init.result).toMatchObject({ protocolVersion: "2025-06-18", serverInfo: { name: "textgate" }, capabilities: { tools: {} } });
    // A version the server does not speak is answered with the one it prefers.
    const other = await reply(await post(key, initialize("1999-01-01")), 1);
    expect(other.result.protocolVersion).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(other.result.protocolVersion).not.toBe("1999-01-01");

    expect((await post(key, { jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
    expect((await reply(await post(key, { jsonrpc: "2.0", id: 2, method: "ping" }), 2)).result).toEqual({});

    const list = await reply(await post(key, { jsonrpc: "2.0", id: 3, method: "tools/list" }), 3);
    expect(list.result.tools.map((t: any) => t.name)).toEqual(["await_signal"]);
    const [tool] = list.result.tools;
    expect(tool.description).toMatch(/one-time verification code/);
    // The watch fields are the REST API's (one schema); null is accepted wherever a field may be left out.
    const orNull = (schema: object) => ({ anyOf: [schema, { type: "null" }] });
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      required: ["timeout_s"],
      properties: {
        channel_id: orNull({ type: "string" }),
        from: orNull({ anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, maxItems: 20 }] }),
        contains: orNull({ type: "string", maxLength: 200 }),
        regex: orNull({ type: "string" }),
        lookback_s: orNull({ type: "integer", minimum: 0, maximum: 86_400 }),
        timeout_s: { type: "integer", minimum: 1, maximum: 604_800 },
        mode: orNull({ enum: ["once", "continuous"] }),
        categories: orNull({ type: "array" }),
        watch_id: { type: "string" },
        after: { type: "integer", minimum: 0 },
        resume: { type: "boolean" },
      },
    });
    expect(tool.description).toMatch(/watch_id/);
  });

  it("returns the code from the lookback in one tools/call", async () => {
    const { channel, account, key, agent } = await setup();
    await sms(channel, account.token, BANK, "Your code is 314159");
    const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "await_signal", arguments: { channel_id: channel.id, timeout_s: 5 } } };
    const { result } = await reply(await post(key, call), 7);
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toMatchObject({ status: "matched", signal: { code: "314159", from: BANK } });
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
    const watch = await json(api("GET", `/api/signals/watches/${result.structuredContent.watch_id}`));
    expect(watch.agent_id).toBe(agent.id);
  });

  it("reports bad arguments as a tool error the agent can read", async () => {
    const { key } = await setup();
    const bad = { jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "await_signal", arguments: { timeout_s: 0 } } };
    expect((await reply(await post(key, bad), 8)).result).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining("timeout_s") }] });
    const unknown = { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "await_signal", arguments: { channel_id: "ch_missing", timeout_s: 5 } } };
    const { result } = await reply(await post(key, unknown), 9);
    expect(result).toMatchObject({ isError: true, structuredContent: { status: "error", message: expect.stringContaining("channel_id") } });
  });
});

describe("/mcp auth", () => {
  it("refuses a request without a key, with a wrong, revoked or admin token", async () => {
    const { key, keyId, agent } = await setup();
    const msg = initialize("2025-06-18");
    for (const token of [null, `${key.slice(0, -2)}xx`, "tgk_nope", env.ADMIN_TOKEN]) {
      const res = await post(token, msg);
      expect(res.status, String(token)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    await api("DELETE", `/api/agents/${agent.id}/keys/${keyId}`);
    expect((await post(key, msg)).status).toBe(401);
  });

  it("answers GET and DELETE with 405 (stateless server)", async () => {
    const { key } = await setup();
    for (const method of ["GET", "DELETE"]) {
      const res = await call(new Request(`${BASE}/mcp`, { method, headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" } }));
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});

describe("an MCP client", () => {
  it("waits in await_signal until the code arrives by SMS", async () => {
    const { channel, account, key } = await setup();
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
      fetch: (url, init) => call(new Request(url, init)),
    });
    const client = new Client({ name: "external-agent", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "textgate" });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["await_signal"]);

      const pending = client.callTool({ name: "await_signal", arguments: { channel_id: channel.id, timeout_s: 30, lookback_s: 0 } });
      const watch = await waitingWatch(channel.id);
      expect((await sms(channel, account.token, BANK, "Your code is 482913")).status).toBe(200);

      const result = await pending;
      expect(result.isError).toBe(false);
      expect(result.structuredContent).toMatchObject({ watch_id: watch.id, status: "matched", signal: { code: "482913", channel_id: channel.id } });
      expect((await fakeState(account.sid)).messages).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});
