// Continuous watches on the real channel objects: every fitting signal is recorded in order with a sequence
// number, read from a cursor by long-poll, pushed over the WebSocket, and handed out one at a time over MCP. They
// observe (take nothing), so once-watches keep getting their codes; receive_signal is decided per watching agent.
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { BASE, api, call, json, seedAgent } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { mms, PNG_B64, seedChannel, sms } from "../helpers/twilio";
import { watchSocket } from "../helpers/watch-socket";

freshStorageEachTest();

const BANK = "+15550009999";
const SHOP = "+15550001234";

const watch = (body: Record<string, unknown>) => api("POST", "/api/signals/watches", { timeout_s: 3600, lookback_s: 0, ...body });
const get = (id: string, query = "") => json(api("GET", `/api/signals/watches/${id}${query}`));
const updates = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `Parcel update ${from + i}: on its way`);
const bodies = (w: { matches: { signal: { body: string } }[] }) => w.matches.map((m) => m.signal.body);

async function signalChannel(handle?: string) {
  return seedChannel({ dispatch_mode: "signal", ...(handle ? { handle } : {}) });
}

describe("a continuous watch", () => {
  it("records five signals in order and reads them from a cursor; a long-poll answers the next one", async () => {
    const { channel, account, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, mode: "continuous", regex: "parcel", max_matches: 6 }));
    expect(w).toMatchObject({ status: "waiting", mode: "continuous", match_count: 0, max_matches: 6 });
    for (const body of updates(5)) await sms(channel, account.token, SHOP, body);

    const all = await get(w.id, "?after=0");
    expect(all).toMatchObject({ status: "waiting", match_count: 5 });
    expect(all.matches.map((m: any) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(bodies(all)).toEqual(updates(5));
    expect(bodies(await get(w.id, "?after=3"))).toEqual(updates(2, 4));

    // Parked from the cursor; the sixth signal answers it, and is the watch's last (max_matches).
    const poll = get(w.id, "?wait=30&after=5");
    await sms(channel, account.token, SHOP, updates(1, 6)[0]!);
    const last = await poll;
    expect(last.matches.map((m: any) => m.seq)).toEqual([6]);
    expect(last).toMatchObject({ status: "completed", match_count: 6, settled_at: expect.any(String) });
    // Ended: the next signal is not recorded, and a long-poll past the end answers at once.
    await sms(channel, account.token, SHOP, updates(1, 7)[0]!);
    expect(await get(w.id, "?wait=30&after=6")).toMatchObject({ status: "completed", match_count: 6, matches: [] });
  });

  it("pushes each match over the WebSocket, catching a reconnecting client up from its cursor", async () => {
    const { channel, account, agent } = await signalChannel();
    const w = await json(watch({ agent_id: agent.id, channel_id: channel.id, mode: "continuous", categories: null, contains: "parcel" }));
    for (const body of updates(2)) await sms(channel, account.token, SHOP, body);
    const s = await watchSocket(w.id, "?after=1");
    // Caught up from after=1: match 2, then the watch's state.
    expect(await s.until(2)).toEqual([
      { id: w.id, status: "matched", seq: 2, signal: expect.objectContaining({ body: updates(1, 2)[0] }) },
      { id: w.id, status: "waiting", match_count: 2 },
    ]);
    for (const body of updates(3, 3)) await sms(channel, account.token, SHOP, body);
    const pushed = (await s.until(5)).slice(2);
    expect(pushed.map((f) => [f.seq, f.signal.body])).toEqual(updates(3, 3).map((b, i) => [i + 3, b]));
    await api("DELETE", `/api/signals/watches/${w.id}`);
    expect((await s.until(6))[5]).toEqual({ id: w.id, status: "cancelled", match_count: 5 });
    s.ws.close();
  });

  it("hands out one match per MCP call after the caller's cursor", async () => {
    const { channel, account, agent } = await signalChannel();
    const key = (await json(api("POST", `/api/agents/${agent.id}/keys`, { name: "mcp" }))).key as string;
    let id = 0;
    const call = async (args: Record<string, unknown>) => {
      const res = await exports.default.fetch(
        new Request(`${BASE}/mcp`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "tools/call", params: { name: "await_signal", arguments: args } }),
        }),
      );
      const text = await res.text();
      const message = text.startsWith("{") ? JSON.parse(text) : JSON.parse(text.split("\n").find((l) => l.startsWith("data: "))!.slice(6));
      return message.result;
    };
    const next = async (args: Record<string, unknown>) => (await call(args)).structuredContent;
    for (const body of updates(2)) await sms(channel, account.token, SHOP, body);
    // The first call starts the watch (its lookback takes the two already here) and returns the first match.
    const first = await next({ channel_id: channel.id, mode: "continuous", contains: "parcel", lookback_s: 60, timeout_s: 3600 });
    expect(first).toMatchObject({ mode: "continuous", status: "matched", seq: 1, signal: { body: updates(1)[0] } });
    expect(await next({ watch_id: first.watch_id, after: 1, timeout_s: 5 })).toMatchObject({ status: "matched", seq: 2 });
    // The next call waits for the third.
    const third = next({ watch_id: first.watch_id, after: 2, timeout_s: 30 });
    await sms(channel, account.token, SHOP, updates(1, 3)[0]!);
    expect(await third).toMatchObject({ status: "matched", seq: 3, signal: { body: updates(1, 3)[0] } });
    for (const body of updates(2, 4)) await sms(channel, account.token, SHOP, body);
    expect(await next({ watch_id: first.watch_id, after: 3, timeout_s: 5 })).toMatchObject({ seq: 4 });
    expect(await next({ watch_id: first.watch_id, after: 4, timeout_s: 5 })).toMatchObject({ seq: 5 });
    // Nothing after the last: the call says the watch still waits, with its count, once its own wait is over.
    expect(await next({ watch_id: first.watch_id, after: 5, timeout_s: 1 })).toEqual({ watch_id: first.watch_id, mode: "continuous", status: "waiting", match_count: 5 });
    // Reading a watch takes no filters: the schema says so, as a tool error the agent can read.
    expect(await call({ watch_id: first.watch_id, contains: "x", timeout_s: 1 })).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("watch_id") }] });
  });

  it("observes without taking: a once-watch still gets the code, and a later lookback still sees it", async () => {
    const { channel, account, agent } = await signalChannel();
    const all = await json(watch({ agent_id: agent.id, channel_id: channel.id, mode: "continuous", from: BANK }));
    const once = await json(watch({ agent_id: agent.id, channel_id: channel.id }));
    await sms(channel, account.token, BANK, "Your code is 482913");
    expect(await get(once.id)).toMatchObject({ status: "matched", signal: { code: "482913" } });
    expect(await get(all.id, "?after=0")).toMatchObject({ match_count: 1, matches: [{ seq: 1, signal: { code: "482913" } }] });
    // Taken by the once-watch: a new once-watch's lookback finds nothing; a new continuous watch's lookback sees it.
    expect((await json(watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 60 }))).status).toBe("waiting");
    expect(await get((await json(watch({ agent_id: agent.id, channel_id: channel.id, mode: "continuous", lookback_s: 60 }))).id, "?after=0")).toMatchObject({ match_count: 1 });
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m.meta).toMatchObject({ watch_id: once.id, observed_by: [all.id] });
  });

  it("records a signal only for agents that may receive it, here and on the hub", async () => {
    const one = await signalChannel("bank");
    const two = await signalChannel("shop");
    const x = (await seedAgent("x")).agent;
    const y = (await seedAgent("y")).agent;
    const forbid = `forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource) when { resource.sender.address == "${BANK}" };`;
    expect((await api("PUT", "/api/policies", { text: forbid })).status).toBe(200);
    const spec = { mode: "continuous", regex: "." };
    const [xHere, yHere, xHub, yBoth] = await Promise.all([
      json(watch({ ...spec, agent_id: x.id, channel_id: one.channel.id })),
      json(watch({ ...spec, agent_id: y.id, channel_id: one.channel.id })),
      json(watch({ ...spec, agent_id: x.id })),
      json(watch({ ...spec, agent_id: y.id, channel_ids: [one.channel.id, two.channel.id] })),
    ]);
    await sms(one.channel, one.account.token, BANK, "Your code is 111111");
    await sms(two.channel, two.account.token, BANK, "Your code is 222222");
    await sms(two.channel, two.account.token, SHOP, "Your parcel is here");
    const codes = async (w: { id: string }) => (await get(w.id, "?after=0")).matches.map((m: any) => m.signal.code ?? m.signal.body);
    expect(await codes(xHere)).toEqual([]);
    expect(await codes(yHere)).toEqual(["111111"]);
    expect(await codes(xHub)).toEqual(["Your parcel is here"]);
    expect(await codes(yBoth)).toEqual(["111111", "222222", "Your parcel is here"]);
    for (const w of [xHub, yBoth]) await api("DELETE", `/api/signals/watches/${w.id}`);
  });

  it("refuses channel_ids naming a message-mode channel (the hub never sees its messages)", async () => {
    const signals = await signalChannel();
    const chat = await seedChannel({ numbers: [{ phone_number: "+15550003333" }] });
    const res = await watch({ agent_id: signals.agent.id, channel_ids: [signals.channel.id, chat.channel.id], mode: "continuous" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_error", details: { issues: [{ path: "channel_ids", message: expect.stringContaining("message mode") }] } } });
  });

  it.each([["this channel", true], ["any signal-mode channel", false]])("on %s lets its agent fetch the media of the MMS it recorded, and no other agent", async (_, onChannel) => {
    const { channel, account } = await signalChannel();
    const [watcher, other] = [(await seedAgent()).agent, (await seedAgent()).agent];
    const w = await json(watch({ agent_id: watcher.id, mode: "continuous", contains: "ticket", ...(onChannel ? { channel_id: channel.id } : {}) }));
    await mms(channel, account.token, SHOP, "Your ticket for tonight", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    const [item] = (await get(w.id, "?after=0&wait=10")).matches[0].signal.media;
    const keyOf = async (agentId: string) => (await json(api("POST", `/api/agents/${agentId}/keys`, {}))).key;
    const fetchWith = (key: string) => call(new Request(`${BASE}${item.url}`, { headers: { authorization: `Bearer ${key}` } }));
    const key = await keyOf(watcher.id);
    // The item is downloaded after the webhook, on the channel object's schedule: 409 until then.
    const res = await vi.waitFor(async () => {
      const r = await fetchWith(key);
      if (r.status !== 200) throw new Error(`media answered ${r.status}`);
      return r;
    });
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0)));
    expect((await fetchWith(await keyOf(other.id))).status).toBe(404);
  });
});
