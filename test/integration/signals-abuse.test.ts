// The signals API attacked the way a misbehaving agent (or a careless admin) would: listing watches of channels
// that do not exist, hiding an agent's own watches behind other agents' ones, and watches whose channel was
// deleted, which must neither count against the limits nor stay out of reach.
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { channelStub } from "../../src/channel/client";
import { LocalStore } from "../../src/channel/local-store";
import { SignalRouter } from "../../src/channel/signal-router";
import { ChannelState } from "../../src/channel/state";
import { createDb } from "../../src/db/client";
import { deskIn } from "../helpers/desk";
import { hubWaitUntil } from "../../src/db/policies";
import { createWatch } from "../../src/signals/service";
import { api, json, seedAgent } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { seedChannel, sms } from "../helpers/twilio";

freshStorageEachTest();

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const BANK = "+15550009999";
const FORBID_X = `forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource);`;
const objects = async () => (await listDurableObjectIds(env.CHANNEL)).map(String).sort();
const withLimits = (perAgent: number, perKey = 50) => ({ ...env, WATCH_LIMIT_PER_AGENT: String(perAgent), WATCH_LIMIT_PER_KEY: String(perKey) }) as unknown as Env;

async function agentWithKey(handle: string) {
  const { agent } = await seedAgent(handle);
  const key = await json(api("POST", `/api/agents/${agent.id}/keys`, { name: "k" }));
  return { agent, key: key.key as string, keyId: key.id as string };
}

describe("listing watches by channel_id", () => {
  it.each([
    ["an id in the legacy format no channel has", "ch_abcdefghjkmnpqrstvwx"],
    ["an id whose MAC is wrong", `ch_${"a".repeat(32)}`],
    ["the signal hub's object name", "signals:any"],
  ])("404s %s for an agent key and the admin, without creating a Durable Object", async (_what, id) => {
    const x = await agentWithKey("x");
    await seedChannel({ dispatch_mode: "signal" });
    const before = await objects();
    for (const headers of [bearer(x.key), {}]) {
      const res = await api("GET", `/api/signals/watches?channel_id=${encodeURIComponent(id)}`, undefined, headers);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
    expect(await objects()).toEqual(before);
  });
});

describe("an agent listing its watches", () => {
  it("sees its own waiting watch even when other agents have 100 newer ones on the channel", async () => {
    const { channel } = await seedChannel({ dispatch_mode: "signal" });
    const x = await agentWithKey("x");
    const mine = await json(api("POST", "/api/signals/watches", { channel_id: channel.id, timeout_s: 600, lookback_s: 0 }, bearer(x.key)));
    const { agent: y } = await seedAgent("y");
    const many = withLimits(200);
    for (let i = 0; i < 100; i++) await createWatch(many, { kind: "admin" }, { agent_id: y.id, channel_id: channel.id, timeout_s: 600, lookback_s: 0 });
    const listed = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${channel.id}`, undefined, bearer(x.key)));
    expect(listed.map((w) => w.id)).toEqual([mine.id]);
  });
});

describe("watches on a channel that is deleted", () => {
  it("stop counting against the agent's and the key's limits", async () => {
    const doomed = await seedChannel({ dispatch_mode: "signal" });
    const other = await seedChannel({ dispatch_mode: "signal" });
    const x = await agentWithKey("x");
    const limited = withLimits(2, 2);
    const who = { kind: "agent" as const, agentId: x.agent.id, keyId: x.keyId };
    const body = { channel_id: doomed.channel.id, timeout_s: 86_400, lookback_s: 0 };
    const first = await createWatch(limited, who, body);
    await createWatch(limited, who, body);
    const socket = await api("GET", `/api/signals/watches/${first.id}/ws`, undefined, { ...bearer(x.key), upgrade: "websocket" });
    expect(socket.status).toBe(101);
    const ws = socket.webSocket!;
    const ended = new Promise<any>((resolve) => ws.addEventListener("message", (e) => JSON.parse(e.data as string).status !== "waiting" && resolve(JSON.parse(e.data as string))));
    ws.accept();
    expect((await api("DELETE", `/api/channels/${doomed.channel.id}`)).status).toBe(200);
    // A waiter at the moment of deletion is told its watch is over, not left hanging on storage that is gone.
    expect(await ended).toMatchObject({ id: first.id, status: "cancelled" });
    ws.close();
    // Its watches are gone with the channel (they can no longer be read or cancelled)...
    expect((await api("DELETE", `/api/signals/watches/${first.id}`, undefined, bearer(x.key))).status).toBe(404);
    // ...so they must not lock the agent out for the rest of their 24 hours.
    await expect(createWatch(limited, who, { ...body, channel_id: other.channel.id })).resolves.toMatchObject({ status: "waiting" });
  });
});

describe("the hub hint channels read", () => {
  it("stops naming a hub watch once it is cancelled, so channels stop offering every signal to the hub", async () => {
    await seedChannel({ dispatch_mode: "signal" });
    const x = await agentWithKey("x");
    const hub = await json(api("POST", "/api/signals/watches", { timeout_s: 86_400, lookback_s: 0 }, bearer(x.key)));
    expect(await hubWaitUntil(createDb(env.DB))).toBeGreaterThan(Date.now());
    expect((await json(api("DELETE", `/api/signals/watches/${hub.id}`, undefined, bearer(x.key)))).status).toBe("cancelled");
    expect(await hubWaitUntil(createDb(env.DB))).toBe(0);
  });
});

describe("a hub lookback when strangers flood the number", () => {
  it("still finds the code behind 200 other signals in the lookback window", async () => {
    const { channel, account } = await seedChannel({ dispatch_mode: "signal" });
    const { agent: x } = await seedAgent("x");
    // Anyone may text a signal-mode number; here 200 texts arrived before the code, all within the lookback.
    const t = Date.now() - 60_000;
    const junk = Array.from({ length: 200 }, (_, i) =>
      env.DB.prepare(
        `INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, created_at, updated_at) VALUES (?, ?, 'inbound', ?, ?, 'hello', 'signal', ?, ?)`,
      ).bind(`msg_junk${String(i).padStart(4, "0")}`, channel.id, "+15550001111", channel.config.from_number, t + i, t + i),
    );
    await env.DB.batch(junk);
    await sms(channel, account.token, BANK, "Your code is 482913");
    const w = await json(api("POST", "/api/signals/watches", { agent_id: x.id, timeout_s: 60, lookback_s: 300 }));
    expect(w).toMatchObject({ status: "matched", signal: { code: "482913" } });
  });
});

describe("a policy saved while a signal is being routed", () => {
  it("decides the channel's own watches by the saved policy once PUT /api/policies has answered", async () => {
    const { channel } = await seedChannel({ dispatch_mode: "signal", handle: "owner" });
    const { agent: x } = await seedAgent("x");
    const wx = await json(api("POST", "/api/signals/watches", { agent_id: x.id, channel_id: channel.id, timeout_s: 600, lookback_s: 0 }));
    const routed = await runInDurableObject(channelStub(env, channel.id), async (_object, state) => {
      // The channel's router, whose offer to the hub is answered only after a policy forbidding x was saved (and
      // pushed here, as PUT /api/policies does): the hub passes, so the channel chooses among its own watches.
      let chState!: ChannelState;
      const hub = {
        offerSignal: async () => {
          const res = await api("PUT", "/api/policies", { text: FORBID_X });
          expect(res.status).toBe(200);
          chState.policyChanged(await res.json());
          return { watchId: null, denied: [] };
        },
      };
      const hubEnv = { ...env, CHANNEL: { idFromName: (name: string) => name, get: () => hub } } as unknown as Env;
      chState = new ChannelState(hubEnv, createDb(env.DB), new LocalStore(state.storage.sql));
      await chState.load(channel.id);
      const desk = deskIn(state);
      const router = new SignalRouter(hubEnv, desk, chState);
      const now = Date.now();
      const msg = { id: "msg_racing", channelId: channel.id, direction: "inbound", from: BANK, to: channel.config.from_number, body: "Your code is 482913", status: "received", dropReason: null, twilioSid: "SM" + "0".repeat(32), errorCode: null, errorMessage: null, encoding: null, segments: null, turnId: null, meta: null, processedAt: null, createdAt: now, updatedAt: now } as const;
      const out = await router.ingest(msg, true);
      return { watchId: out.watch_id, x: desk.store.view(wx.id)?.status };
    });
    expect(await json(api("POST", "/api/policies/check", { agent: "x", action: "receive_signal", channel: "owner", sender: BANK }))).toMatchObject({ decision: "deny" });
    expect(routed).toEqual({ watchId: null, x: "waiting" });
  });
});
