// Full-reply links: the same turn always gets the same unguessable key, tokens parse only in their own shape, and a
// page stops being served once it expires and is swept.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ReplyPages } from "../../src/channel/reply-pages";
import { parseReplyToken, replyPageKey, replyPageUrl } from "../../src/lib/reply-link";

const SECRET = "test-secret";
const CH = "ch_0123456789abcdefghjk0123456789ab";

describe("reply links", () => {
  it("derive one key per channel and turn, the same every time", async () => {
    const key = await replyPageKey(SECRET, CH, "turn_1");
    expect(key).toMatch(/^[0-9a-z]{24}$/);
    expect(await replyPageKey(SECRET, CH, "turn_1")).toBe(key);
    expect(await replyPageKey(SECRET, CH, "turn_2")).not.toBe(key);
    expect(await replyPageKey(SECRET, "ch_0123456789abcdefghjk0123456789ac", "turn_1")).not.toBe(key);
    expect(await replyPageKey("another-secret", CH, "turn_1")).not.toBe(key);
  });

  it("parse back to the channel and key they were made from, and nothing else", async () => {
    const key = await replyPageKey(SECRET, CH, "turn_1");
    const url = replyPageUrl("https://tg.example", CH, key);
    expect(url).toBe(`https://tg.example/r/${CH.slice(3)}.${key}`);
    expect(parseReplyToken(url.split("/r/")[1]!)).toEqual({ channelId: CH, key });
    expect(parseReplyToken(`0123456789abcdefghjk.${key}`)).toEqual({ channelId: "ch_0123456789abcdefghjk", key });
    for (const bad of ["", "x", `${CH}.${key}`, `${CH.slice(3)}.${key}x`, `${CH.slice(3)}.${key.slice(1)}`, `${CH.slice(3)}${key}`, `${CH.slice(3).toUpperCase()}.${key}`]) {
      expect(parseReplyToken(bad), bad).toBeNull();
    }
  });
});

describe("reply pages", () => {
  it("keep the first text per key, and expire", async () => {
    const stub = env.CHANNEL.get(env.CHANNEL.idFromName(`pages-${crypto.randomUUID()}`));
    await runInDurableObject(stub, async (_o, state) => {
      const pages = new ReplyPages(state.storage.sql);
      pages.migrate();
      const T = 1_000_000;
      pages.save({ key: "k1", turnId: "turn_1", text: "first" }, T, 1000);
      pages.save({ key: "k1", turnId: "turn_1", text: "second" }, T + 10, 1000);
      expect(pages.get("k1", T + 999)).toEqual({ text: "first", created_at: T, expires_at: T + 1000 });
      expect(pages.get("k1", T + 1000)).toBeNull();
      expect(pages.get("k2", T)).toBeNull();
      pages.sweep(T + 1000);
      expect(state.storage.sql.exec(`SELECT count(*) AS n FROM reply_pages WHERE key = 'k1'`).one().n).toBe(0);
    });
  });
});
