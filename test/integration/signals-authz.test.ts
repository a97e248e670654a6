// Who may take a signal: `receive_signal` is decided for the agent that is waiting, on every path a code can reach
// a watch (arrival, hub offer, lookback here and through the hub, MCP, the in-turn tool), and /api/policies/check
// says the same. Also the limits on pending watches, and a hub lookback claim that must be handed on, not lost.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { LocalStore } from "../../src/channel/local-store";
import { SignalRouter } from "../../src/channel/signal-router";
import { ChannelState } from "../../src/channel/state";
import { createDb } from "../../src/db/client";
import { parseWatchInput } from "../../src/domain/signals";
import { deskIn } from "../helpers/desk";

const watchParams = (input: Record<string, unknown>) => {
  const r = parseWatchInput(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
import { createWatch } from "../../src/signals/service";
import { BASE, api, call, json, seedAgent } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { freshStorageEachTest } from "../helpers/fresh";
import { settledTurns } from "../helpers/turns";
import { pair, seedChannel, sms } from "../helpers/twilio";

freshStorageEachTest();

const BANK = "+15550009999";
const OWNER = "+15557770001";

/** The issue's policy: agent x may never receive a signal. */
const FORBID_X = `forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource);`;
/** Agent x may not receive signals from the bank (a condition: watches can still be created). */
const FORBID_X_FROM_BANK = `forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource) when { resource.sender.address == "${BANK}" };`;

async function setup() {
  const signals = await seedChannel({ dispatch_mode: "signal", handle: "owner" });
  const x = (await seedAgent("x")).agent;
  const y = (await seedAgent("y")).agent;
  return { ...signals, x, y };
}

const watch = (body: Record<string, unknown>, headers: Record<string, string> = {}) => api("POST", "/api/signals/watches", { timeout_s: 60, ...body }, headers);
const get = (id: string) => json(api("GET", `/api/signals/watches/${id}`));
const putPolicy = async (text: string) => expect((await api("PUT", "/api/policies", { text })).status).toBe(200);
const check = (agent: string, channel: string) => json(api("POST", "/api/policies/check", { agent, action: "receive_signal", channel, sender: BANK }));

async function waitingWatchOf(agentId: string, channelId?: string) {
  return vi.waitFor(
    async () => {
      const list = await json<any[]>(api("GET", `/api/signals/watches${channelId ? `?channel_id=${channelId}` : ""}`));
      const found = list.find((w) => w.agent_id === agentId && w.status === "waiting");
      if (!found) throw new Error("no waiting watch yet");
      return found;
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe("receive_signal is decided for the waiting agent", () => {
  it("skips x's older watch for y's younger one, right after the policy is saved, and /check agrees", async () => {
    const { channel, account, x, y } = await setup();
    const wx = await json(watch({ agent_id: x.id, channel_id: channel.id, lookback_s: 0 }));
    const poll = json(api("GET", `/api/signals/watches/${wx.id}?wait=30`));
    const wy = await json(watch({ agent_id: y.id, channel_id: channel.id, lookback_s: 0 }));
    await putPolicy(FORBID_X);
    expect(await check("x", channel.handle)).toMatchObject({ decision: "deny" });
    expect(await check("y", channel.handle)).toMatchObject({ decision: "allow" });

    await sms(channel, account.token, BANK, "Your code is 482913");
    expect(await get(wy.id)).toMatchObject({ status: "matched", signal: { code: "482913" } });
    // x's parked long-poll only ends when its watch is cancelled: it never matched.
    await api("DELETE", `/api/signals/watches/${wx.id}`);
    expect(await poll).toMatchObject({ id: wx.id, status: "cancelled" });
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m).toMatchObject({ status: "signal", meta: { watch_id: wy.id, signal_policy: { denied: [{ watch_id: wx.id, agent: "x" }] } } });
  });

  it("keeps a code that arrived earlier from x's lookback, for the next allowed watch", async () => {
    const { channel, account, x, y } = await setup();
    await putPolicy(FORBID_X_FROM_BANK);
    await sms(channel, account.token, BANK, "Your code is 111222");
    expect(await json(watch({ agent_id: x.id, channel_id: channel.id }))).toMatchObject({ status: "waiting" });
    expect(await json(watch({ agent_id: y.id, channel_id: channel.id }))).toMatchObject({ status: "matched", signal: { code: "111222" } });
  });

  it("over MCP, x's await_signal does not return the code", async () => {
    const { channel, account, x, y } = await setup();
    const { key } = await json(api("POST", `/api/agents/${x.id}/keys`, { name: "mcp" }));
    await putPolicy(FORBID_X_FROM_BANK);
    await sms(channel, account.token, BANK, "Your code is 314159");
    const message = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "await_signal", arguments: { channel_id: channel.id, timeout_s: 30 } } };
    const pending = call(
      new Request(`${BASE}/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
        body: JSON.stringify(message),
      }),
    );
    const wx = await waitingWatchOf(x.id, channel.id);
    // Still free: y's lookback takes it. Then x's call ends by cancelling its watch.
    expect(await json(watch({ agent_id: y.id, channel_id: channel.id }))).toMatchObject({ status: "matched", signal: { code: "314159" } });
    await api("DELETE", `/api/signals/watches/${wx.id}`);
    const text = await (await pending).text();
    expect(text).toContain('"status\\":\\"cancelled\\"');
    expect(text).not.toContain("314159");
  });

  it("in a turn, x's await_signal tool does not get the code", async () => {
    const signals = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550002222" }], handle: "owner" });
    const xs = await seedChannel({ handle: "x" });
    const y = (await seedAgent("y")).agent;
    await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", xs.agent.id).run();
    await pair(xs.channel, xs.account.token, OWNER);
    await putPolicy(FORBID_X_FROM_BANK);
    await sms(signals.channel, signals.account.token, BANK, "Your code is 771204");
    const fake = await scriptFake([{ tool_calls: [{ name: "await_signal", arguments: { channel_id: signals.channel.id, lookback_s: 120, timeout_s: 30, resume: false } }] }, { text: "No code" }]);
    await sms(xs.channel, xs.account.token, OWNER, `log me in ${fake.marker}`);

    const wx = await waitingWatchOf(xs.agent.id, signals.channel.id);
    expect(await json(watch({ agent_id: y.id, channel_id: signals.channel.id }))).toMatchObject({ status: "matched", signal: { code: "771204" } });
    await api("DELETE", `/api/signals/watches/${wx.id}`);
    const [turn] = await settledTurns(xs.channel.id);
    expect(turn.status).toBe("completed");
    const tool = (await fake.requests())[1]!.messages.find((m) => m.role === "tool");
    const result = JSON.stringify(tool!.content);
    expect(result).toContain("cancelled");
    expect(result).not.toContain("771204");
  });
});

describe("watches on any signal-mode channel", () => {
  it("x's older hub watch is passed over for y's hub watch", async () => {
    const { channel, account, x, y } = await setup();
    const wx = await json(watch({ agent_id: x.id, lookback_s: 0 }));
    const wy = await json(watch({ agent_id: y.id, lookback_s: 0 }));
    await putPolicy(FORBID_X);
    await sms(channel, account.token, BANK, "Your code is 135790");
    expect(await get(wy.id)).toMatchObject({ status: "matched", signal: { code: "135790" } });
    expect(await get(wx.id)).toMatchObject({ status: "waiting" });
  });

  it("x's older hub watch is passed over for y's channel watch", async () => {
    const { channel, account, x, y } = await setup();
    const wx = await json(watch({ agent_id: x.id, lookback_s: 0 }));
    const wy = await json(watch({ agent_id: y.id, channel_id: channel.id, lookback_s: 0 }));
    await putPolicy(FORBID_X);
    await sms(channel, account.token, BANK, "Your code is 246802");
    expect(await get(wy.id)).toMatchObject({ status: "matched", signal: { code: "246802" } });
    expect(await get(wx.id)).toMatchObject({ status: "waiting" });
  });

  it("x's hub lookback does not take a code x may not receive; y's channel lookback does", async () => {
    const { channel, account, x, y } = await setup();
    await putPolicy(FORBID_X_FROM_BANK);
    await sms(channel, account.token, BANK, "Your code is 864200");
    expect(await json(watch({ agent_id: x.id }))).toMatchObject({ status: "waiting" });
    expect(await json(watch({ agent_id: y.id, channel_id: channel.id }))).toMatchObject({ status: "matched", signal: { code: "864200" } });
  });

  it("the hub hands back a signal it claimed for a watch that settled during the claim", async () => {
    const { channel, account, x, y } = await setup();
    await sms(channel, account.token, BANK, "Your code is 975310");
    const released: string[] = [];
    // A hub of our own making, whose calls to the channel pass through a gate: the claim succeeds at the channel,
    // then the watch is cancelled before the answer is back, then the gate opens.
    await runInDurableObject(env.CHANNEL.get(env.CHANNEL.idFromName("test:hub")), async (_object, state) => {
      const real = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
      let reached!: () => void;
      const atClaim = new Promise<void>((r) => (reached = r));
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const gated = {
        claimSignal: async (...args: Parameters<typeof real.claimSignal>) => {
          const answer = await real.claimSignal(...args);
          reached();
          await gate;
          return answer;
        },
        releaseSignal: async (...args: Parameters<typeof real.releaseSignal>) => {
          released.push(args[1]);
          return real.releaseSignal(...args);
        },
      };
      const hubEnv = { ...env, CHANNEL: { idFromName: (name: string) => name, get: () => gated } } as unknown as Env;
      const desk = deskIn(state);
      const router = new SignalRouter(hubEnv, desk, new ChannelState(hubEnv, createDb(env.DB), new LocalStore(state.storage.sql)));
      const now = Date.now();
      await desk.create({ id: "wt_hub", agentId: x.id, agentHandle: "x", channelId: null, params: watchParams({ timeout_s: 60 }) }, now);
      const looking = router.hubLookback("wt_hub", now);
      await atClaim;
      expect(desk.settle("wt_hub", "cancelled", null, Date.now())).toBe(true);
      open();
      expect(await looking).toMatchObject({ status: "cancelled" });
    });
    expect(released).toHaveLength(1);
    expect(await json(watch({ agent_id: y.id, channel_id: channel.id }))).toMatchObject({ status: "matched", signal: { code: "975310" } });
  });

  it("a channel gives a signal handed back by the hub to its next waiting watch", async () => {
    const { channel, account, y } = await setup();
    await sms(channel, account.token, BANK, "Your code is 864213");
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    const stub = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    expect(await stub.claimSignal(channel.id, m.id, "wt_gone", "x")).toMatchObject({ status: "claimed" });
    const next = await json(watch({ agent_id: y.id, channel_id: channel.id }));
    expect(next.status).toBe("waiting");
    expect(await stub.releaseSignal(channel.id, m.id, "wt_gone")).toBe(next.id);
    expect(await get(next.id)).toMatchObject({ status: "matched", signal: { code: "864213" } });
  });
});

describe("creating a watch the agent can never be served", () => {
  it("is refused (403) when x is forbidden outright, on a channel and on any channel", async () => {
    const { channel, x, y } = await setup();
    await putPolicy(FORBID_X);
    for (const body of [{ agent_id: x.id, channel_id: channel.id }, { agent_id: x.id }]) {
      const res = await watch(body);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "signal_forbidden", message: expect.stringContaining('"x"') } });
    }
    expect((await watch({ agent_id: y.id, channel_id: channel.id })).status).toBe(201);
  });

  it("is refused only where the forbid applies: one channel, or one named sender", async () => {
    const { channel, x } = await setup();
    await putPolicy(`forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource in Policy::Channel::"${channel.handle}");\n${FORBID_X_FROM_BANK.replace("resource)", `resource in Policy::Channel::"elsewhere")`)}`);
    expect((await watch({ agent_id: x.id, channel_id: channel.id })).status).toBe(403);
    expect((await watch({ agent_id: x.id })).status).toBe(201);
    await putPolicy(FORBID_X_FROM_BANK);
    expect((await watch({ agent_id: x.id, channel_id: channel.id, from: BANK })).status).toBe(403);
    expect((await watch({ agent_id: x.id, channel_id: channel.id, from: "+15550001234" })).status).toBe(201);
    expect((await watch({ agent_id: x.id, channel_id: channel.id })).status).toBe(201);
  });
});

describe("pending watch limits", () => {
  it("refuses the 51st waiting watch of an agent with 429, even when they are created at once; cancelling frees one", async () => {
    const { channel, x } = await setup();
    const all = await Promise.all(Array.from({ length: 55 }, () => watch({ agent_id: x.id, channel_id: channel.id, lookback_s: 0 })));
    expect(all.filter((r) => r.status === 201)).toHaveLength(50);
    const refused = all.filter((r) => r.status === 429);
    expect(refused).toHaveLength(5);
    expect(await refused[0]!.json()).toMatchObject({ error: { code: "too_many_watches", message: expect.stringMatching(/50 .*cancel/i) } });
    const first = await json(all.find((r) => r.status === 201)!);
    await api("DELETE", `/api/signals/watches/${first.id}`);
    expect((await watch({ agent_id: x.id, channel_id: channel.id, lookback_s: 0 })).status).toBe(201);
    expect((await watch({ agent_id: x.id, channel_id: channel.id, lookback_s: 0 })).status).toBe(429);
  });

  it("limits each agent key on its own", async () => {
    const { channel, x } = await setup();
    const one = await json(api("POST", `/api/agents/${x.id}/keys`, { name: "one" }));
    const two = await json(api("POST", `/api/agents/${x.id}/keys`, { name: "two" }));
    const limited = { ...env, WATCH_LIMIT_PER_KEY: "2" } as unknown as Env;
    const body = { channel_id: channel.id, timeout_s: 60, lookback_s: 0 };
    await createWatch(limited, { kind: "agent", agentId: x.id, keyId: one.id }, body);
    await createWatch(limited, { kind: "agent", agentId: x.id, keyId: one.id }, body);
    await expect(createWatch(limited, { kind: "agent", agentId: x.id, keyId: one.id }, body)).rejects.toMatchObject({ status: 429, code: "too_many_watches" });
    await expect(createWatch(limited, { kind: "agent", agentId: x.id, keyId: two.id }, body)).resolves.toMatchObject({ status: "waiting" });
    // Through the API, the watch counts against the key that was presented.
    const viaApi = await json(watch({ channel_id: channel.id }, { authorization: `Bearer ${one.key}` }));
    expect(await env.DB.prepare("SELECT key_id FROM signal_watches WHERE id = ?").bind(viaApi.id).first("key_id")).toBe(one.id);
  });
});
