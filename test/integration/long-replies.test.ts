// A reply longer than one SMS keeps everything: one SMS cut at a word, ending "Full reply: <link>", and the link
// opens the whole text. The link is fixed with the body in the delivery ledger, so every resend and every
// reconciliation sees the very same body.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, call } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { settledTurns } from "../helpers/turns";
import { fakeState, injectFault, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770015";
const LINK = /\n\nFull reply: (https:\/\/textgate\.example(\/r\/[0-9a-z]+\.[0-9a-z]{24}))$/;

async function connected() {
  const seeded = await seedChannel();
  await env.DB.prepare("UPDATE agents SET model = 'openai:gpt-test' WHERE id = ?").bind(seeded.agent.id).run();
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

/** 2 500 characters of distinct words, so any part of it can be found on the page. */
const longText = () => Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ").slice(0, 2500);

const posts = async (sid: string) => (await fakeState(sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");
const page = (path: string) => call(new Request(`${BASE}${path}`, { headers: { accept: "text/html,application/xhtml+xml" } }));

describe("long replies", () => {
  it("a 2 500-character reply goes as exactly one SMS ending in a link that opens the full text", async () => {
    const { channel, account } = await connected();
    const text = longText();
    const script = await scriptFake([{ text }]);
    await sms(channel, account.token, OWNER, `tell me everything ${script.marker}`);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");

    const sent = await posts(account.sid);
    expect(sent).toHaveLength(1);
    const body = sent[0]!.form.Body!;
    expect(body.length).toBeLessThanOrEqual(1600);
    const [, url, path] = LINK.exec(body) ?? [];
    expect(url, body.slice(-120)).toBeDefined();
    // Cut at a word: what precedes the link is a prefix of the reply ending on a whole word.
    const head = body.slice(0, body.indexOf("\n\nFull reply:"));
    expect(text.startsWith(head)).toBe(true);
    expect(text[head.length]).toBe(" ");

    const res = await page(path!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain(text);
    expect(html).toContain('name="viewport"');
  });

  it("resends the very same body, link included, after failed sends", async () => {
    const { channel, account } = await connected();
    const text = longText();
    const script = await scriptFake([{ text }]);
    // Two sends Twilio refuses with 503: each retry reconciles, then sends the body fixed in the ledger.
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 503, code: 20503, times: 2 });
    await sms(channel, account.token, OWNER, `again ${script.marker}`);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    const sent = await posts(account.sid);
    expect(sent.length).toBe(3);
    expect(new Set(sent.map((p) => p.form.Body)).size).toBe(1);
    expect(sent[0]!.form.Body).toMatch(LINK);
    expect((await fakeState(account.sid)).messages).toHaveLength(1);
  });

  it("a reply accepted by Twilio whose answer was lost is adopted by its body, link and all", async () => {
    const { channel, account } = await connected();
    const script = await scriptFake([{ text: longText() }]);
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true });
    await sms(channel, account.token, OWNER, `once more ${script.marker}`);
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "completed" });
    expect(turn.attempts).toBeGreaterThan(1);
    const state = await fakeState(account.sid);
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]!.body).toMatch(LINK);
  });

  it("a short reply has no link", async () => {
    const { channel, account } = await connected();
    const script = await scriptFake([{ text: "Short and sweet." }]);
    await sms(channel, account.token, OWNER, `hi ${script.marker}`);
    await settledTurns(channel.id);
    expect((await posts(account.sid))[0]!.form.Body).toBe("Short and sweet.");
  });

  it("a made-up or altered link is a 404 page", async () => {
    const { channel, account } = await connected();
    const script = await scriptFake([{ text: longText() }]);
    await sms(channel, account.token, OWNER, `more ${script.marker}`);
    await settledTurns(channel.id);
    const path = LINK.exec((await posts(account.sid))[0]!.form.Body!)![2]!;
    const altered = path.slice(0, -1) + (path.endsWith("a") ? "b" : "a");
    for (const p of [altered, "/r/nothing", `/r/${"a".repeat(32)}.${"b".repeat(24)}`]) {
      const res = await page(p);
      expect(res.status, p).toBe(404);
      expect(await res.text()).toContain("Reply not found");
      // A client that is not a browser gets the API's error body.
      const api = await call(new Request(`${BASE}${p}`));
      expect(api.status).toBe(404);
      expect(await api.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
