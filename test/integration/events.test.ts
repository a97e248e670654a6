// Live events: the channel object pushes channel and message changes to subscribed WebSockets.
import { describe, expect, it } from "vitest";
import { BASE, call } from "../helpers/api";
import { documentedFrame } from "../helpers/contract";
import { injectFault, mms, PNG_B64, seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

async function subscribe(channelId: string) {
  const url = `${BASE}/api/channels/${channelId}/events`;
  const res = await call(new Request(url, { headers: { upgrade: "websocket", authorization: "Bearer test-admin-token" } }));
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const events: any[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    events.push(documentedFrame("GET", url, e.data));
    waiters.splice(0).forEach((w) => w());
  });
  return {
    events,
    async next(pred: (e: any) => boolean) {
      for (;;) {
        const found = events.find(pred);
        if (found) return found;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    close: () => ws.close(),
  };
}

describe("live events", () => {
  it("pushes the stored message and the channel turning connected when a phone pairs", async () => {
    const { channel, account } = await seedChannel();
    const sub = await subscribe(channel.id);
    await sms(channel, account.token, "+15557770001", channel.pairing.code);
    const msg = await sub.next((e) => e.type === "message");
    expect(msg.message).toMatchObject({ direction: "inbound", status: "pairing", from: "+15557770001" });
    const ch = await sub.next((e) => e.type === "channel");
    expect(ch.channel).toMatchObject({ id: channel.id, status: "connected" });
    sub.close();
  });

  it("pushes the message again once its picture is stored, so a page shows the thumbnail at once", async () => {
    const { channel, account } = await seedChannel({ dispatch_mode: "signal" });
    const sub = await subscribe(channel.id);
    // Twilio is slow with the picture: the message is pushed before it is stored, and again once it is.
    await injectFault(account.sid, { match: "/Media/", method: "GET", delay_ms: 300 });
    await mms(channel, account.token, "+15550009999", "a picture", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    expect((await sub.next((e) => e.type === "message")).message.media).toMatchObject([{ status: "pending" }]);
    const stored = await sub.next((e) => e.type === "message" && e.message.media?.[0]?.status === "stored");
    expect(stored.message).toMatchObject({ body: "a picture", media: [{ content_type: "image/png", status: "stored" }] });
    sub.close();
  });

  it("refuses a plain GET and requires auth", async () => {
    const { channel } = await seedChannel();
    const plain = await call(new Request(`${BASE}/api/channels/${channel.id}/events`, { headers: { authorization: "Bearer test-admin-token" } }));
    expect(plain.status).toBe(426);
    const anon = await call(new Request(`${BASE}/api/channels/${channel.id}/events`, { headers: { upgrade: "websocket" } }));
    expect(anon.status).toBe(401);
  });
});

describe("live watch events", () => {
  it("pushes a signal watch when it is created and when it settles", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const sub = await subscribe(channel.id);
    const { api } = await import("../helpers/api");
    const res = await api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, timeout_s: 60, lookback_s: 0 });
    const created = await res.json<any>();
    expect(await sub.next((e) => e.type === "watch")).toMatchObject({ watch: { id: created.id, status: "waiting" } });
    await sms(channel, account.token, "+15550009999", "Your code is 424242");
    expect(await sub.next((e) => e.type === "watch" && e.watch.status === "matched")).toMatchObject({ watch: { id: created.id, signal: { code: "424242" } } });
    sub.close();
  });
});
