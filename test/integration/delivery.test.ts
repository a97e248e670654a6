// Exactly one reply SMS per turn under Twilio faults, on the real Queue consumer: answers lost or turned into 5xx
// after Twilio accepted the message, resets, rate limits, a list endpoint that is down, an identical earlier
// reply, and status callbacks that beat the answer, repeat, arrive out of order or all at once.
import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { outbound, settledTurns } from "../helpers/turns";
import { fakeState, heldSend, injectFault, messageSid, pair, releaseHeld, seedChannel, seedSentMessage, sms, statusCallback } from "../helpers/twilio";

const OWNER = "+15557770002";
const FROM = "+15550001111";

async function connected(model?: string) {
  const seeded = await seedChannel();
  if (model) await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind(model, seeded.agent.id).run();
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

const accepted = async (sid: string) => (await fakeState(sid)).messages.filter((m) => m.to === OWNER);

async function oneReply(channelId: string, accountSid: string) {
  const [turn] = await settledTurns(channelId);
  const msgs = await accepted(accountSid);
  expect(msgs).toHaveLength(1);
  const [reply] = await outbound(channelId);
  expect(turn).toMatchObject({ status: "completed", reply_message_id: reply.id });
  expect(reply.twilio_sid).toBe(msgs[0]!.sid);
  return { turn, reply, sid: msgs[0]!.sid };
}

describe("one reply whatever Twilio answers", () => {
  it("Twilio accepts the message and answers 504: reconciled, not resent", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true, status: 504, code: 20504, message: "Gateway Timeout" });
    await sms(channel, account.token, OWNER, "hello");
    const { turn } = await oneReply(channel.id, account.sid);
    expect(turn.attempts).toBeGreaterThan(1);
  });

  it("a 503 that did not create anything is sent again after the check", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 503, code: 20503, times: 2 });
    await sms(channel, account.token, OWNER, "hello");
    await oneReply(channel.id, account.sid);
  });

  it("a 429 is retried later and ends in one message", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 429, code: 20429, message: "Too Many Requests" });
    await sms(channel, account.token, OWNER, "hello");
    await oneReply(channel.id, account.sid);
  });

  it("a connection reset before Twilio did anything is sent again after the check", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", drop: true });
    await sms(channel, account.token, OWNER, "hello");
    await oneReply(channel.id, account.sid);
  });

  it("never sends while Twilio's message list is down: it waits and asks again", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true });
    await injectFault(account.sid, { match: "Messages.json", method: "GET", status: 503, code: 20503, times: 2 });
    await sms(channel, account.token, OWNER, "hello");
    await oneReply(channel.id, account.sid);
    const posts = (await fakeState(account.sid)).requests.filter((r) => r.path === "Messages.json" && r.method === "POST");
    expect(posts).toHaveLength(1);
  });

  it("does not adopt an identical earlier reply from the same day: this turn's reply is sent", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    await seedSentMessage(account.sid, { to: OWNER, from: FROM, body: "OK", age_ms: 10 * 60_000 });
    const script = await scriptFake([{ text: "OK" }]);
    await injectFault(account.sid, { match: "Messages.json", method: "POST", drop: true });
    await sms(channel, account.token, OWNER, `confirm? ${script.marker}`);
    await settledTurns(channel.id);
    const msgs = await accepted(account.sid);
    expect(msgs.map((m) => m.body)).toEqual(["OK", "OK"]);
    const [reply] = await outbound(channel.id);
    expect(reply.twilio_sid).toBe(msgs[1]!.sid);
  });

  it("adopts this attempt's message, not an identical earlier one, after an accept-then-504", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    await seedSentMessage(account.sid, { to: OWNER, from: FROM, body: "OK", age_ms: 10 * 60_000 });
    const script = await scriptFake([{ text: "OK" }]);
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true, status: 504 });
    await sms(channel, account.token, OWNER, `confirm? ${script.marker}`);
    await settledTurns(channel.id);
    const msgs = await accepted(account.sid);
    expect(msgs).toHaveLength(2);
    expect((await outbound(channel.id))[0].twilio_sid).toBe(msgs[1]!.sid);
  });
});

describe("evictions", () => {
  it("the channel object reset after Twilio accepted and before the answer: adopted on redelivery, not resent", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", hold_ms: 5000 });
    await sms(channel, account.token, OWNER, "hello");
    await vi.waitFor(async () => expect(await accepted(account.sid)).toHaveLength(1), { timeout: 5000, interval: 20 });
    // The consumer's call dies with the object: it logs the failed job and asks the Queue to retry it.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await abortAllDurableObjects();
    const { turn } = await oneReply(channel.id, account.sid);
    const lines = logged.mock.calls.map((c) => `${String(c[0])} ${String(c[1])}`);
    logged.mockRestore();
    expect(turn.attempts).toBeGreaterThan(1);
    expect(lines).toEqual([expect.stringMatching(/^turn job \S+ failed Error: Application called abortAllDurableObjects\(\)/)]);
  });
});

describe("no status callback lost", () => {
  // The app learns the SID from Twilio's answer; callbacks for it can come first. The emulator holds the answer
  // (a gate), the callbacks go in, then the answer says "queued": only the held callbacks can make it "delivered".
  it("callbacks that arrive out of order before Twilio's answer to the send are held, then applied", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", hold: true });
    await sms(channel, account.token, OWNER, "hello");
    const sid = await heldSend(account.sid, OWNER);
    for (const status of ["delivered", "sent"]) expect((await statusCallback(channel, account.token, sid, status)).status).toBe(200);
    expect(await releaseHeld(account.sid)).toBe(1);
    const { reply } = await oneReply(channel.id, account.sid);
    expect(reply.status).toBe("delivered");
  });

  it("callbacks before an answer that then fails with 504 are applied to the adopted message", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", hold: true, after: true, status: 504 });
    await sms(channel, account.token, OWNER, "hello");
    const sid = await heldSend(account.sid, OWNER);
    for (const status of ["sent", "delivered"]) expect((await statusCallback(channel, account.token, sid, status)).status).toBe(200);
    expect(await releaseHeld(account.sid)).toBe(1);
    // Twilio's list still says "queued" (the callbacks went to the app, not through the emulator).
    expect((await accepted(account.sid))[0]).toMatchObject({ sid, status: "queued" });
    const { reply, turn } = await oneReply(channel.id, account.sid);
    expect(turn.attempts).toBeGreaterThan(1);
    expect(reply.status).toBe("delivered");
  });

  it("four concurrent callbacks for one message end at the highest status, every time", async () => {
    const { channel, account } = await connected();
    await sms(channel, account.token, OWNER, "hello");
    const { sid } = await oneReply(channel.id, account.sid);
    const [reply] = await outbound(channel.id);
    expect(reply.status).toBe("queued");
    // The first round races four statuses from queued; later rounds check that nothing moves a delivered one down.
    for (let round = 0; round < 6; round++) {
      const res = await Promise.all(["sending", "sent", "delivered", "sent"].map((s) => statusCallback(channel, account.token, sid, s)));
      expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await outbound(channel.id))[0].status).toBe("delivered");
    }
  });

  it("concurrent callbacks on fresh messages never settle below delivered", async () => {
    const { channel, account } = await connected();
    for (let i = 0; i < 5; i++) await sms(channel, account.token, OWNER, `hello ${i}`);
    await settledTurns(channel.id, 5);
    const replies = await outbound(channel.id);
    expect(replies).toHaveLength(5);
    await Promise.all(replies.map((r) => Promise.all(["queued", "sending", "sent", "delivered"].map((s) => statusCallback(channel, account.token, r.twilio_sid, s)))));
    expect((await outbound(channel.id)).map((r) => r.status)).toEqual(["delivered", "delivered", "delivered", "delivered", "delivered"]);
  });

  it("a callback naming an inbound message's SID changes nothing", async () => {
    const { channel, account } = await connected();
    const sid = messageSid();
    await sms(channel, account.token, OWNER, "hello", sid);
    await settledTurns(channel.id);
    const res = await statusCallback(channel, account.token, sid, "failed", "30003");
    expect(res.status).toBe(200);
    const inbound = (await json<any[]>(api("GET", `/api/channels/${channel.id}/messages?limit=100`))).find((m) => m.direction === "inbound" && m.twilio_sid === sid);
    expect(inbound).toMatchObject({ status: "received", error_code: null });
  });
});
