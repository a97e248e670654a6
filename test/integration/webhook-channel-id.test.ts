// Webhooks are unauthenticated until the channel object checks the signature, and reaching an object creates it
// (its constructor makes its SQLite tables). So a channel id must be proven ours before any object is touched.
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, seedAgent } from "../helpers/api";
import { fakeAccount, messageSid, seedChannel, signedPost, sms } from "../helpers/twilio";

const OWNER = "+15557770001";
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

const objects = async () => (await listDurableObjectIds(env.CHANNEL)).map(String).sort();

/** An id in the format channels had before ids carried a MAC: "ch_" and 20 random characters. */
function legacyId() {
  return `ch_${Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => ALPHABET[b & 31]).join("")}`;
}

/** A channel created the way the code before verifiable ids did: a legacy id handed to the object's setup. */
async function legacyChannel() {
  const account = await fakeAccount();
  const { space, agent } = await seedAgent();
  const id = legacyId();
  const input = { id, spaceId: space.id, agentId: agent.id, accountSid: account.sid, authToken: account.token, fromNumber: account.numbers[0]!.phone_number, dispatchMode: "message" as const };
  const created = await env.CHANNEL.get(env.CHANNEL.idFromName(id)).setup(input, `legacy-${id.slice(3, 9)}`);
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  return { account, channel: { id, config: { account_sid: account.sid, from_number: input.fromNumber } } };
}

async function expectNotFound(res: Response) {
  expect(res.status).toBe(404);
  expect((await res.json<any>()).error.code).toBe("not_found");
}

describe("webhooks to channel ids that are not ours", () => {
  it.each([
    ["an unknown legacy-format id", legacyId],
    ["garbage", () => "ch_unknown"],
    ["the signal hub's object name", () => "signals:any"],
    ["a very long id", () => `ch_${"a".repeat(4000)}`],
  ])("404s %s without creating a Durable Object", async (_what, id) => {
    const { account } = await seedChannel();
    const before = await objects();
    const sid = messageSid();
    const form = { MessageSid: sid, SmsSid: sid, AccountSid: account.sid, From: OWNER, To: account.numbers[0]!.phone_number, Body: "hi", NumMedia: "0" };
    const path = `/webhooks/twilio/sms/${encodeURIComponent(id())}`;
    await expectNotFound(await signedPost(path, form, account.token));
    await expectNotFound(await signedPost(`${path}/status`, { MessageSid: sid, AccountSid: account.sid, MessageStatus: "delivered" }, account.token));
    expect(await objects()).toEqual(before);
  });

  it("404s a new id with one MAC character changed, without creating a Durable Object", async () => {
    const { channel, account } = await seedChannel();
    const last = channel.id.at(-1)!;
    const forged = { ...channel, id: channel.id.slice(0, -1) + ALPHABET[(ALPHABET.indexOf(last) + 1) % 32] };
    const before = await objects();
    await expectNotFound(await sms(forged, account.token, OWNER, "hi"));
    expect(await objects()).toEqual(before);
    expect((await sms(channel, account.token, OWNER, "hi")).status).toBe(200);
  });

  it("keeps channels whose ids predate the MAC working, since Twilio numbers point at them", async () => {
    const { channel, account } = await legacyChannel();
    const res = await sms(channel, account.token, OWNER, "still here");
    expect(res.status).toBe(200);
    const row = await env.DB.prepare("SELECT body FROM messages WHERE channel_id = ?").bind(channel.id).first();
    expect(row).toEqual({ body: "still here" });
    expect((await api("GET", `/api/channels/${channel.id}`)).status).toBe(200);
  });

  it("gives new channels ids that carry a MAC", async () => {
    const { channel } = await seedChannel();
    expect(channel.id).toMatch(/^ch_[0-9a-hjkmnp-tv-z]{32}$/);
  });
});

describe("channel API routes with ids that are not ours", () => {
  it.each([
    ["POST", "/pairing"],
    ["POST", "/connect"],
    ["POST", "/disconnect"],
    ["DELETE", ""],
    ["DELETE", `/paired-addresses/${encodeURIComponent(OWNER)}`],
    ["PATCH", ""],
  ])("%s /api/channels/:id%s 404s an unknown id without creating a Durable Object", async (method, suffix) => {
    const before = await objects();
    for (const id of [legacyId(), "signals:any"]) {
      await expectNotFound(await api(method, `/api/channels/${encodeURIComponent(id)}${suffix}`, method === "PATCH" ? { dispatch_mode: "signal" } : undefined));
    }
    expect(await objects()).toEqual(before);
  });
});
