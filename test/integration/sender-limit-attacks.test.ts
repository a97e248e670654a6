// Red-team tests for MAX_TURNS_PER_SENDER_PER_HOUR (issue 14 §6). The sender's earlier turns are written into the
// channel object's count directly (29 of 30), so each test needs only the texts around the limit: copies arriving
// together for the last place, STOP and HELP at the limit, and a clock that goes back. The clock is injected.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, json } from "../helpers/api";
import { messageSid, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770101";
const HOUR = 3600_000;

let channels: string[] = [];
afterEach(async () => {
  clock.now = () => Date.now();
  for (const id of channels) await api("DELETE", `/api/channels/${id}`);
  channels = [];
});

const inbound = async (channelId: string) => (await json<any[]>(api("GET", `/api/channels/${channelId}/messages?limit=200`))).filter((m) => m.direction === "inbound");
const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

/** A connected channel whose owner already started `n` turns at `at` (what 29 earlier texts would have left). */
async function nearTheLimit(n: number, at: number) {
  const seeded = await seedChannel();
  channels.push(seeded.channel.id);
  await pair(seeded.channel, seeded.account.token, OWNER);
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
