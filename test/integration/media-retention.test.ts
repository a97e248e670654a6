// Media follow their messages: past RETENTION_DAYS the bytes and records leave each channel object on its own
// sweep and D1's copy on the Cron Trigger, while newer media stay; deleting a channel deletes all of its media.
import { createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { api, json } from "../helpers/api";
import { mms, pair, PNG_B64, seedChannel } from "../helpers/twilio";

const OWNER = "+15557770154";
const DAY = 24 * 3600_000;

afterEach(() => {
  vi.useRealTimers();
});

const at = (t: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(t);
};
const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));
const keys = async (channelId: string) => (await env.MEDIA.list({ prefix: `media/${channelId}/` })).objects.map((o) => o.key).sort();
const d1Media = async (channelId: string) => (await env.DB.prepare(`SELECT id FROM media WHERE channel_id = ? ORDER BY id`).bind(channelId).all<{ id: string }>()).results.map((r) => r.id);
const objectMedia = (channelId: string) => runInDurableObject(objectOf(channelId), (_o, state) => state.storage.sql.exec<{ id: string }>(`SELECT id FROM media ORDER BY id`).toArray().map((r) => r.id));

/** Texts a picture and waits until it is stored; returns its id. */
async function picture(channel: any, token: string, body: string): Promise<string> {
  await mms(channel, token, OWNER, body, [{ content_type: "image/png", data_b64: PNG_B64 }]);
  return vi.waitFor(
    async () => {
      const m = (await json<any[]>(api("GET", `/api/channels/${channel.id}/messages?limit=100`))).find((x) => x.body === body);
      if (m?.media[0]?.status !== "stored") throw new Error("not stored yet");
      return m.media[0].id as string;
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe("media retention", () => {
  it("sweeps media past RETENTION_DAYS from R2, the object and D1, and keeps newer media", { timeout: 20_000 }, async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const base = Date.now();
    at(base);
    const old = await picture(channel, account.token, "old picture");
    at(base + 20 * DAY);
    const recent = await picture(channel, account.token, "recent picture");
    expect(await keys(channel.id)).toEqual([`media/${channel.id}/${old}`, `media/${channel.id}/${recent}`].sort());

    at(base + 31 * DAY);
    expect(await runDurableObjectAlarm(objectOf(channel.id))).toBe(true);
    expect(await keys(channel.id)).toEqual([`media/${channel.id}/${recent}`]);
    expect(await objectMedia(channel.id)).toEqual([recent]);

    await worker.scheduled(createScheduledController({ scheduledTime: base + 31 * DAY, cron: "23 * * * *" }), env);
    expect(await d1Media(channel.id)).toEqual([recent]);
    expect((await api("GET", `/api/media/${old}`)).status).toBe(404);
    expect((await api("GET", `/api/media/${recent}`)).status).toBe(200);
  });

  it("deletes every stored byte and record of a channel with the channel", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const id = await picture(channel, account.token, "a picture");
    expect(await keys(channel.id)).toHaveLength(1);
    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    expect(await keys(channel.id)).toEqual([]);
    expect(await d1Media(channel.id)).toEqual([]);
    expect((await api("GET", `/api/media/${id}`)).status).toBe(404);
  });
});
