// Signal mode and watches on the real channel objects: codes reach waiters the moment the webhook is accepted.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json, refused } from "../helpers/api";
import { fakeState, messageSid, seedChannel, sms } from "../helpers/twilio";
import { watchSocket } from "../helpers/watch-socket";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const BANK = "+15550009999";

async function signalChannel() {
  const seeded = await seedChannel({ dispatch_mode: "signal" });
  expect(seeded.channel.dispatch_mode).toBe("signal");
  return seeded;
}

const watch = (body: Record<string, unknown>) => api("POST", "/api/signals/watches", { timeout_s: 60, ...body });

describe("signal mode", () => {
  it("annotates every SMS and never replies or runs a turn", async () => {
    const { channel, account } = await signalChannel();
    await sms(channel, account.token, BANK, "Your verification code is 482 913. Visit https://bank.example/verify?x=1 if this wasn't you.");
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m).toMatchObject({ status: "signal", meta: { annotation: { code: "482913", links: ["https://bank.example/verify?x=1"], sender: { address: BANK, kind: "e164" } } } });
    expect(await json<any[]>(api("GET", `/api/channels/${channel.id}/turns`))).toEqual([]);
    expect((await fakeState(account.sid)).messages).toEqual([]);
  });

  it("switches modes through PATCH", async () => {
    const { channel } = await seedChannel();
    expect(await json(api("PATCH", `/api/channels/${channel.id}`, { dispatch_mode: "signal" }))).toMatchObject({ dispatch_mode: "signal" });
    expect(await json(api("PATCH", `/api/channels/${channel.id}`, { dispatch_mode: "message" }))).toMatchObject({ dispatch_mode: "message" });
  });
});

describe("watches", () => {
  it("resolve a waiting long-poll the moment the code arrives", async () => {
    const { channel, account, agent } = await signalChannel();
    const created = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    expect(created).toMatchObject({ id: expect.stringMatching(/^wt_/), status: "waiting", channel_id: channel.id, agent_id: agent.id });
    const poll = json(api("GET", `/api/signals/watches/${created.id}?wait=30`));
    await sms(channel, account.token, BANK, "G-482913 is your Google verification code.");
    expect(await poll).toMatchObject({ status: "matched", signal: { code: "G-482913", from: BANK, channel_id: channel.id, message_id: expect.stringMatching(/^msg_/) } });
  });

  it("keep a code with the watch it went to when Twilio retries a handling that stopped before D1", async () => {
    const { channel, account, agent } = await signalChannel();
    const first = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    const sid = messageSid();
    await sms(channel, account.token, BANK, "Your code: 424242", sid);
    expect(await json(api("GET", `/api/signals/watches/${first.id}`))).toMatchObject({ status: "matched", signal: { code: "424242" } });
    // The first handling is cut short before its D1 write; the retry finds the signal already given away.
    await env.DB.prepare(`DELETE FROM messages WHERE twilio_sid = ?`).bind(sid).run();
    const second = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    expect((await sms(channel, account.token, BANK, "Your code: 424242", sid)).status).toBe(200);
    expect(await json(api("GET", `/api/signals/watches/${second.id}`))).toMatchObject({ status: "waiting" });
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m).toMatchObject({ twilio_sid: sid, status: "signal", meta: { watch_id: first.id } });
  });

  it("match a code that arrived before the watch (lookback), once", async () => {
    const { channel, account, agent } = await signalChannel();
    await sms(channel, account.token, BANK, "Your code: 111222");
    const first = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    expect(first).toMatchObject({ status: "matched", signal: { code: "111222" } });
    const second = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    expect(second.status).toBe("waiting");
    const none = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    expect(none.status).toBe("waiting");
  });

  it("give one code to the oldest of two waiters, and the next (identical) code to the other", async () => {
    const { channel, account, agent } = await signalChannel();
    const a = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    const b = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    await sms(channel, account.token, BANK, "Your code is 555000");
    expect(await json(api("GET", `/api/signals/watches/${a.id}`))).toMatchObject({ status: "matched", signal: { code: "555000" } });
    expect((await json(api("GET", `/api/signals/watches/${b.id}`))).status).toBe("waiting");
    await sms(channel, account.token, BANK, "Your code is 555000");
    expect(await json(api("GET", `/api/signals/watches/${b.id}`))).toMatchObject({ status: "matched", signal: { code: "555000" } });
  });

  it("filter by sender, contains and regex", async () => {
    const { channel, account, agent } = await signalChannel();
    const fromBank = await json(watch({ agent_id: agent.id, channel_id: channel.id, from: BANK, lookback_s: 0 }));
    const apple = await json(watch({ agent_id: agent.id, channel_id: channel.id, contains: "apple", lookback_s: 0 }));
    const rx = await json(watch({ agent_id: agent.id, channel_id: channel.id, regex: "steam.*[A-Z0-9]{5}", lookback_s: 0 }));
    await sms(channel, account.token, "+15550001234", "Your Apple ID Code is: 384756. Don't share it.");
    await sms(channel, account.token, "+15550004321", "Steam Guard code: F7K2Q");
    await sms(channel, account.token, BANK, "Chase: 918273 is your one-time code");
    const get = async (id: string) => json(api("GET", `/api/signals/watches/${id}`));
    expect(await get(apple.id)).toMatchObject({ status: "matched", signal: { code: "384756" } });
    expect(await get(rx.id)).toMatchObject({ status: "matched", signal: { from: "+15550004321" } });
    expect(await get(fromBank.id)).toMatchObject({ status: "matched", signal: { code: "918273", from: BANK } });
  });

  it("time out on the object's alarm and wake the long-poll", async () => {
    const { channel, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, timeout_s: 1 }));
    // The object's own alarm fires at expires_at and wakes the parked long-poll (no sleeping here).
    const poll = await json(api("GET", `/api/signals/watches/${w.id}?wait=30`));
    expect(poll).toMatchObject({ status: "timed_out", settled_at: expect.any(String) });
    expect(Date.parse(poll.settled_at)).toBeGreaterThanOrEqual(Date.parse(w.expires_at));
    // Nothing is left scheduled for the watches once every one has settled (the hourly sweep and health check remain).
    const kinds = await runInDurableObject(env.CHANNEL.get(env.CHANNEL.idFromName(channel.id)), (_o, state) => state.storage.sql.exec<{ kind: string }>(`SELECT kind FROM schedules`).toArray().map((r) => r.kind));
    expect(kinds.sort()).toEqual(["health", "storage_sweep"]);
  });

  it("can be cancelled", async () => {
    const { channel, account, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    expect(await json(api("DELETE", `/api/signals/watches/${w.id}`))).toMatchObject({ status: "cancelled" });
    await sms(channel, account.token, BANK, "Your code is 123123");
    expect((await json(api("GET", `/api/signals/watches/${w.id}`))).status).toBe("cancelled");
  });

  it("keep the watch and its match across a restart of the object", async () => {
    const { channel, account, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    await abortAllDurableObjects();
    await sms(channel, account.token, BANK, "Your code is 777888");
    await abortAllDurableObjects();
    expect(await json(api("GET", `/api/signals/watches/${w.id}?wait=5`))).toMatchObject({ status: "matched", signal: { code: "777888" } });
  });

  it("push the match over a WebSocket, and replay it to a reconnecting waiter", async () => {
    const { channel, account, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    const connect = () => watchSocket(w.id);
    const first = await connect();
    expect(await first.next(() => true)).toMatchObject({ id: w.id, status: "waiting" });
    await sms(channel, account.token, BANK, "Your code is 246810");
    expect(await first.next((m) => m.status === "matched")).toMatchObject({ signal: { code: "246810" } });
    first.ws.close();
    const again = await connect();
    expect(await again.next(() => true)).toMatchObject({ status: "matched", signal: { code: "246810" } });
    again.ws.close();
  });

  it("without channel_id, wait on any signal-mode channel (and take a recent one by lookback)", async () => {
    const one = await signalChannel();
    const two = await signalChannel();
    const w = await json(watch({ agent_id: one.agent.id, lookback_s: 0 }));
    expect(w).toMatchObject({ status: "waiting", channel_id: null });
    await sms(two.channel, two.account.token, BANK, "Your code is 135790");
    expect(await json(api("GET", `/api/signals/watches/${w.id}?wait=5`))).toMatchObject({ status: "matched", signal: { code: "135790", channel_id: two.channel.id } });

    await sms(one.channel, one.account.token, BANK, "Your code is 864200");
    const late = await json(watch({ agent_id: one.agent.id }));
    expect(late).toMatchObject({ status: "matched", signal: { code: "864200", channel_id: one.channel.id } });
    // Taken by the hub watch, so a channel watch's lookback does not get it again.
    expect((await json(watch({ agent_id: one.agent.id, channel_id: one.channel.id }))).status).toBe("waiting");
  });

  it("validate input and 404 unknown watches", async () => {
    const { channel, agent } = await signalChannel();
    await refused(watch({ agent_id: agent.id, channel_id: channel.id, timeout_s: 0 }), 400, "validation_error", ["timeout_s"]);
    await refused(watch({ agent_id: agent.id, channel_id: channel.id, regex: "code(?=\\d)" }), 400, "validation_error", ["regex"]);
    await refused(watch({ agent_id: "ag_missing" }), 400, "validation_error", ["agent_id"]);
    await refused(watch({ agent_id: agent.id, channel_id: "ch_missing" }), 400, "validation_error", ["channel_id"]);
    await refused(api("GET", "/api/signals/watches/wt_missing"), 404, "not_found");
    expect(await json(api("GET", `/api/signals/watches?channel_id=${channel.id}`))).toEqual([]);
  });

  it("a sender the agent may not receive still feeds a watch on a message-mode channel", async () => {
    const { channel, account, agent } = await seedChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 0 }));
    await sms(channel, account.token, "22000", "Your code is 314159");
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m).toMatchObject({ status: "dropped", drop_reason: "not_paired", meta: { watch_id: w.id } });
    expect(await json(api("GET", `/api/signals/watches/${w.id}`))).toMatchObject({ status: "matched", signal: { code: "314159" } });
  });
});
