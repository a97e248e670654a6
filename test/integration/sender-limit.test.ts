// MAX_TURNS_PER_SENDER_PER_HOUR (30 by default) through real webhooks: the 31st text in an hour is stored as
// dropped rate_limited and runs no turn; the count survives a restart of the channel object; a MessageSid
// redelivered (even one whose handling is redone after a crash) counts once; the clock moving past the hour lets a
// text through again; signal mode is not limited. The clock is injected (lib/clock); nothing sleeps. A turn is
// created with its message, so the counts are read from the turns list at once; each test then deletes its channel
// rather than waiting for 30 turns of one conversation to run one after another.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, json, uiPage } from "../helpers/api";
import { turns } from "../helpers/turns";
import { messageSid, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770071";
const OTHER = "+15557770072";
const HOUR = 3600_000;

let channels: string[] = [];
afterEach(async () => {
  clock.now = () => Date.now();
  for (const id of channels) await api("DELETE", `/api/channels/${id}`);
  channels = [];
});

const inbound = async (channelId: string) => (await json<any[]>(api("GET", `/api/channels/${channelId}/messages?limit=200`))).filter((m) => m.direction === "inbound");
const bySid = async (channelId: string, sid: string) => (await inbound(channelId)).find((m) => m.twilio_sid === sid);
const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

async function text(channel: any, token: string, from: string, body: string, sid = messageSid()) {
  const res = await sms(channel, token, from, body, sid);
  expect(res.status).toBe(200);
  return sid;
}

async function connected() {
  const seeded = await seedChannel();
  channels.push(seeded.channel.id);
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

describe("MAX_TURNS_PER_SENDER_PER_HOUR", () => {
  it("drops the 31st text in an hour as rate_limited with no turn, across a restart, and lets one through past the hour", async () => {
    const { account, channel } = await connected();
    const t0 = Date.now();
    clock.now = () => t0;
    for (let i = 0; i < 30; i++) await text(channel, account.token, OWNER, `question ${i}`);
    expect((await inbound(channel.id)).filter((m) => m.status === "received" && m.turn_id)).toHaveLength(30);

    // The channel object restarts: the count is in its storage, not its memory.
    await abortAllDurableObjects();
    clock.now = () => t0 + 59 * 60_000;
    const over = await text(channel, account.token, OWNER, "question 31");
    expect(await bySid(channel.id, over)).toMatchObject({ status: "dropped", drop_reason: "rate_limited", turn_id: null, meta: { limit: 30, window_s: 3600 } });
    // Another phone the policies admit is counted on its own.
    await api("PUT", "/api/policies", `permit(principal, action == Policy::Action::"receive_message", resource) when { resource.sender.address == "${OTHER}" };`, { "content-type": "text/plain" });
    const other = await text(channel, account.token, OTHER, "hi");
    expect(await bySid(channel.id, other)).toMatchObject({ status: "received", turn_id: expect.any(String) });
    expect((await turns(channel.id)).filter((t) => t.sender === OWNER)).toHaveLength(30);

    // The owner sees why in the message list.
    const html = await uiPage(`/settings/channels/${channel.id}/parts/messages`);
    expect(html).toContain("MAX_TURNS_PER_SENDER_PER_HOUR allows, so no turn ran (30 an hour).");

    // An hour after the first turns, the oldest no longer count.
    clock.now = () => t0 + HOUR + 1;
    const later = await text(channel, account.token, OWNER, "an hour later");
    expect(await bySid(channel.id, later)).toMatchObject({ status: "received", turn_id: expect.any(String) });
    expect((await turns(channel.id)).filter((t) => t.sender === OWNER)).toHaveLength(31);
  }, 30_000);

  it("counts a MessageSid once: redelivered, or handled again after a crash before its turn was queued", async () => {
    const { account, channel } = await connected();
    const t0 = Date.now();
    clock.now = () => t0;
    const sids: string[] = [];
    for (let i = 0; i < 29; i++) sids.push(await text(channel, account.token, OWNER, `question ${i}`));
    // Twilio redelivers the first text twice.
    await text(channel, account.token, OWNER, "question 0", sids[0]);
    await text(channel, account.token, OWNER, "question 0", sids[0]);
    // The second one's handling stopped before its turn was queued (a crash): the redelivery redoes it.
    const redo = async (sid: string) => {
      await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec(`UPDATE inbox SET processed_at = NULL WHERE sid = ?`, sid));
      await text(channel, account.token, OWNER, "again", sid);
    };
    await redo(sids[1]!);
    expect(await bySid(channel.id, sids[1]!)).toMatchObject({ status: "received", turn_id: expect.any(String) });

    // So the 30th distinct text still starts a turn, and the 31st does not.
    sids.push(await text(channel, account.token, OWNER, "question 29"));
    expect(await bySid(channel.id, sids[29]!)).toMatchObject({ status: "received", turn_id: expect.any(String) });
    expect(await bySid(channel.id, await text(channel, account.token, OWNER, "question 30"))).toMatchObject({ status: "dropped", drop_reason: "rate_limited" });
    // At the limit, a text admitted before and redone now keeps its turn: it is not dropped in its own place.
    await redo(sids[29]!);
    expect(await bySid(channel.id, sids[29]!)).toMatchObject({ status: "received", turn_id: expect.any(String) });
    expect(await turns(channel.id)).toHaveLength(30);
  }, 30_000);

  it("does not limit signal mode", async () => {
    const { account, channel } = await seedChannel({ dispatch_mode: "signal" });
    channels.push(channel.id);
    clock.now = () => Date.now();
    for (let i = 0; i < 35; i++) await text(channel, account.token, OWNER, `Your code is ${100000 + i}`);
    const all = await inbound(channel.id);
    expect(all).toHaveLength(35);
    expect(all.every((m) => m.status === "signal")).toBe(true);
  }, 30_000);
});

// Attacks around the limit (red team): the sender's earlier turns are written into the object's count directly (29 or
// 30 of 30), so each test needs only the texts around the limit.
/** A connected channel whose owner already started `n` turns at `at` (what 29 earlier texts would have left). */
async function nearTheLimit(n: number, at: number) {
  const seeded = await connected();
  await runInDurableObject(objectOf(seeded.channel.id), (_o, state) => {
    for (let i = 0; i < n; i++) state.storage.sql.exec(`INSERT INTO sender_turns (sid, sender, at) VALUES (?, ?, ?)`, messageSid(), OWNER, at);
  });
  return seeded;
}

describe("the last place under the limit", () => {
  it("goes to one of five texts arriving together; a copy of that text is the same turn, not another", async () => {
    const t0 = Date.now();
    clock.now = () => t0;
    const { account, channel } = await nearTheLimit(29, t0 - 60_000);
    const sids = Array.from({ length: 5 }, () => messageSid());
    const res = await Promise.all([...sids.map((sid, i) => sms(channel, account.token, OWNER, `q${i}`, sid)), ...sids.map((sid, i) => sms(channel, account.token, OWNER, `q${i}`, sid))]);
    expect(res.map((r) => r.status)).toEqual(Array(10).fill(200));
    const mine = (await inbound(channel.id)).filter((m) => sids.includes(m.twilio_sid));
    expect(mine).toHaveLength(5);
    expect(mine.filter((m) => m.status === "received" && m.turn_id)).toHaveLength(1);
    expect(mine.filter((m) => m.status === "dropped" && m.drop_reason === "rate_limited")).toHaveLength(4);
  });
});

describe("at the limit", () => {
  it("HELP and STOP are still keywords (Twilio answers them), not rate_limited, and do not count", async () => {
    const t0 = Date.now();
    clock.now = () => t0;
    const { account, channel } = await nearTheLimit(30, t0 - 60_000);
    for (const word of ["HELP", "STOP"]) expect((await sms(channel, account.token, OWNER, word)).status).toBe(200);
    const words = (await inbound(channel.id)).filter((m) => m.body === "HELP" || m.body === "STOP");
    expect(words.map((m) => [m.status, m.drop_reason])).toEqual([
      ["keyword", null],
      ["keyword", null],
    ]);
    const counted = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec(`SELECT count(*) AS n FROM sender_turns`).one().n);
    expect(counted).toBe(30);
  });

  it("a clock that goes back keeps the limit (the turns are not forgotten), and the hour is counted from them again once it is right", async () => {
    const t0 = Date.now();
    clock.now = () => t0;
    const { account, channel } = await nearTheLimit(30, t0 - 60_000);
    clock.now = () => t0 - 2 * HOUR;
    const back = messageSid();
    await sms(channel, account.token, OWNER, "behind", back);
    clock.now = () => t0 + HOUR;
    const later = messageSid();
    await sms(channel, account.token, OWNER, "right again", later);
    const all = await inbound(channel.id);
    expect(all.find((m) => m.twilio_sid === back)).toMatchObject({ status: "dropped", drop_reason: "rate_limited" });
    expect(all.find((m) => m.twilio_sid === later)).toMatchObject({ status: "received", turn_id: expect.any(String) });
  });
});
