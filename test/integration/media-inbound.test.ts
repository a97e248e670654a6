// Inbound MMS: each item is fetched from Twilio after the webhook is answered (Basic auth, Twilio's redirect to its
// CDN), kept in R2, listed on its message and shown to the model; items that are too big, of a refused type, or
// behind a redirect to anywhere but Twilio are recorded with the reason, and the message is handled all the same.
// The object's clock is moved with a fixed Date for retries, never slept on.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, BASE, call, json, seedAgent } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { settledTurns } from "../helpers/turns";
import { fakeState, GIF_B64, injectFault, mms, pair, PNG_B64, releaseHeld, seedChannel, signedPost, smsForm } from "../helpers/twilio";

const OWNER = "+15557770151";

afterEach(() => {
  vi.useRealTimers();
});

async function connected(model?: string) {
  const seeded = await seedChannel();
  if (model) await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind(model, seeded.agent.id).run();
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

/** The inbound message with this body, once none of its media is pending (or at once with `pending`). */
async function messageWith(channelId: string, body: string, opts: { pending?: boolean } = {}) {
  return vi.waitFor(
    async () => {
      const msgs = await json<any[]>(api("GET", `/api/channels/${channelId}/messages?limit=100`));
      const m = msgs.find((x) => x.direction === "inbound" && x.body === body);
      if (!m) throw new Error("message not recorded yet");
      if (!opts.pending && m.media.some((x: any) => x.status === "pending")) throw new Error(`media still pending: ${JSON.stringify(m.media)}`);
      return m;
    },
    { timeout: 10_000, interval: 50 },
  );
}

const stored = async (channelId: string, id: string) => {
  const object = await env.MEDIA.get(`media/${channelId}/${id}`);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
};
const b64bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

describe("an inbound MMS", () => {
  it("with two images: both stored in R2, listed on the message, and given to the model as image parts", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const script = await scriptFake([{ text: "Nice pictures." }]);
    const body = `what is this? ${script.marker}`;
    const { webhook } = await mms(channel, account.token, OWNER, body, [
      { content_type: "image/png", data_b64: PNG_B64 },
      { content_type: "image/gif", data_b64: GIF_B64 },
    ]);
    expect(webhook.status).toBe(200);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");

    const m = await messageWith(channel.id, body);
    expect(m.meta).toMatchObject({ num_media: 2 });
    expect(m.media).toEqual([
      { id: expect.stringMatching(/^med_/), content_type: "image/png", size: b64bytes(PNG_B64).length, status: "stored", reason: null, url: `/api/media/${m.media[0].id}` },
      { id: expect.stringMatching(/^med_/), content_type: "image/gif", size: b64bytes(GIF_B64).length, status: "stored", reason: null, url: `/api/media/${m.media[1].id}` },
    ]);
    expect(await stored(channel.id, m.media[0].id)).toEqual(b64bytes(PNG_B64));
    expect(await stored(channel.id, m.media[1].id)).toEqual(b64bytes(GIF_B64));

    // Fetched with the channel's credentials: the emulator answers a Media GET only with Basic auth.
    const gets = (await fakeState(account.sid)).requests.filter((r) => r.method === "GET" && r.path.includes("/Media/ME"));
    expect(gets).toHaveLength(2);

    const [req] = await script.requests();
    const user = req!.messages.at(-1)!;
    expect(user.role).toBe("user");
    const parts = user.content as { type: string; text?: string; image_url?: { url: string } }[];
    expect(parts.filter((p) => p.type === "image_url").map((p) => p.image_url!.url)).toEqual([`data:image/png;base64,${PNG_B64}`, `data:image/gif;base64,${GIF_B64}`]);
    const text = parts.find((p) => p.type === "text")!.text!;
    expect(text).toContain(script.marker);
    expect(text).toContain(`[Attached: picture image/png, 70 bytes (${m.media[0].id}); picture image/gif, 42 bytes (${m.media[1].id})]`);
  }, 15_000);

  it("delivered again, twice at once: one set of media, each downloaded once, one turn, one model request", { timeout: 15_000 }, async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const script = await scriptFake([{ text: "Once." }]);
    const body = `again ${script.marker}`;
    const first = await mms(channel, account.token, OWNER, body, [{ content_type: "image/png", data_b64: PNG_B64 }]);
    const again = () => signedPost(`/webhooks/twilio/sms/${channel.id}`, { ...smsForm(channel, OWNER, body, first.messageSid), ...first.params }, account.token);
    expect((await Promise.all([again(), again()])).map((r) => r.status)).toEqual([200, 200]);
    await settledTurns(channel.id);
    const m = await messageWith(channel.id, body);
    expect(m.media).toEqual([expect.objectContaining({ status: "stored" })]);
    expect((await json<any[]>(api("GET", `/api/channels/${channel.id}/messages?limit=100`))).filter((x) => x.body === body)).toHaveLength(1);
    expect((await fakeState(account.sid)).requests.filter((r) => r.method === "GET" && r.path.includes("/Media/ME"))).toHaveLength(1);
    expect(await script.requests()).toHaveLength(1);
    expect((await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json")).toHaveLength(1);
  });

  it("is visible offline: builtin:echo says what came and how many pictures it saw", async () => {
    const { channel, account } = await connected();
    await mms(channel, account.token, OWNER, "look", [
      { content_type: "image/png", data_b64: PNG_B64 },
      { content_type: "audio/amr", size: 2048 },
    ]);
    await settledTurns(channel.id);
    const sent = (await fakeState(account.sid)).requests.find((r) => r.method === "POST" && r.path === "Messages.json")!;
    expect(sent.form.Body).toMatch(/^Let me check the time\.\n\nEcho: look\n\n\[Attached: picture image\/png, 70 bytes \(med_\w+\); file audio\/amr, 2 KB \(med_\w+\), not shown\] \(it is [^)]+\) I see 1 picture\.$/);
  });

  it("records items that are too big or of a refused type, with the reason, and still runs the turn", { timeout: 15_000 }, async () => {
    const { channel, account } = await connected();
    const body = "three files";
    await mms(channel, account.token, OWNER, body, [
      // Sent chunked: no Content-Length to go by, so only counting the bytes finds it too big.
      { content_type: "image/jpeg", size: 5 * 1024 * 1024 + 1, chunked: true },
      { content_type: "text/html", size: 100 },
      { content_type: "image/png", serve_type: "image/svg+xml", size: 100 },
    ]);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    const m = await messageWith(channel.id, body);
    expect(m.status).toBe("received");
    expect(m.media.map((x: any) => [x.status, x.reason])).toEqual([
      ["too_big", "larger than 5.0 MB"],
      ["refused_type", "text/html is not a media type textgate keeps"],
      ["refused_type", "image/svg+xml is not a media type textgate keeps"],
    ]);
    for (const x of m.media) expect(await stored(channel.id, x.id)).toBeNull();
    // The refused type was never fetched; the other two were.
    expect((await fakeState(account.sid)).requests.filter((r) => r.path.includes("/Media/ME"))).toHaveLength(2);
  });

  it("with five items: at most two are downloaded at once, and all five are stored", { timeout: 15_000 }, async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "/Media/", method: "GET", hold: true, times: 5 });
    const body = "five pictures";
    await mms(channel, account.token, OWNER, body, Array.from({ length: 5 }, () => ({ content_type: "image/png", data_b64: PNG_B64 })));
    const mediaGets = async () => (await fakeState(account.sid)).requests.filter((r) => r.method === "GET" && r.path.includes("/Media/ME")).length;
    const running = async () => (await env.DB.prepare("SELECT status FROM turns WHERE channel_id = ?").bind(channel.id).first<{ status: string }>())?.status;
    // The alarm's download and the turn's (it waits for its pictures, asking for all five) are both under way.
    await vi.waitFor(async () => expect(await running()).toBe("running"), { interval: 10 });
    await vi.waitFor(async () => expect(await mediaGets()).toBeGreaterThanOrEqual(2), { interval: 10 });
    // Every download Twilio has is held until released: each release says how many were in flight together.
    const inFlight: number[] = [];
    for (let released = 0; released < 5; ) {
      await vi.waitFor(async () => expect(await mediaGets()).toBeGreaterThan(released), { interval: 10 });
      const n = await releaseHeld(account.sid);
      inFlight.push(n);
      released += n;
    }
    expect(Math.max(...inFlight)).toBeLessThanOrEqual(2);
    const m = await messageWith(channel.id, body);
    expect(m.media.map((x: { status: string }) => x.status)).toEqual(Array(5).fill("stored"));
    expect((await env.MEDIA.list({ prefix: `media/${channel.id}/` })).objects).toHaveLength(5);
  });

  it("refuses a redirect to a private, link-local or foreign address", async () => {
    const { channel, account } = await connected();
    const body = "redirected";
    await mms(channel, account.token, OWNER, body, [
      { content_type: "image/png", redirect_to: "http://10.0.0.7/secret.png" },
      { content_type: "image/png", redirect_to: "http://169.254.169.254/latest/meta-data/" },
      { content_type: "image/png", redirect_to: "https://evil.example/collect.png" },
      { content_type: "image/png", redirect_to: "https://[::1]/x.png" },
    ]);
    const m = await messageWith(channel.id, body);
    expect(m.media.map((x: any) => x.status)).toEqual(["failed", "failed", "failed", "failed"]);
    expect(m.media[0].reason).toBe("refused a redirect to http://10.0.0.7: 10.0.0.7 is a private address, not one of Twilio's media hosts");
    expect(m.media[1].reason).toContain("169.254.169.254 is a link-local address");
    expect(m.media[2].reason).toContain("evil.example is not one of Twilio's media hosts");
    expect(m.media[3].reason).toContain("is a loopback address");
  });

  it("refuses more than three redirects", async () => {
    const { channel, account } = await connected();
    const body = "loops";
    await mms(channel, account.token, OWNER, body, [
      { content_type: "image/png", data_b64: PNG_B64, extra_redirects: 2 },
      { content_type: "image/png", data_b64: PNG_B64, extra_redirects: 3 },
    ]);
    const m = await messageWith(channel.id, body);
    // API → CDN → 2 more hops is three redirects: fine. One more is too many.
    expect(m.media.map((x: any) => [x.status, x.reason])).toEqual([
      ["stored", null],
      ["failed", "more than 3 redirects"],
    ]);
  });

  it("retries a transient failure on the object's schedule, while the message is handled without it", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "/Media/", method: "GET", status: 503, code: 20503, times: 1 });
    const body = "flaky";
    await mms(channel, account.token, OWNER, body, [{ content_type: "image/png", data_b64: PNG_B64 }]);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    const before = await vi.waitFor(async () => {
      const m = await messageWith(channel.id, body, { pending: true });
      if (!m.media[0].reason) throw new Error("not tried yet");
      return m;
    });
    expect(before.media[0]).toMatchObject({ status: "pending", reason: expect.stringContaining("answered HTTP 503") });

    const due = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec<{ at: number }>(`SELECT at FROM schedules WHERE kind = 'media_fetch'`).one().at);
    expect(due).toBeGreaterThan(Date.now() + 5_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(due + 1);
    expect(await runDurableObjectAlarm(objectOf(channel.id))).toBe(true);
    const after = await messageWith(channel.id, body);
    expect(after.media[0]).toMatchObject({ status: "stored", reason: null });
    expect(await stored(channel.id, after.media[0].id)).toEqual(b64bytes(PNG_B64));
  });
});

describe("a signal-mode MMS", () => {
  it("lists its media on the signal a watch gets, fetchable with the agent's key", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const created = await json(api("POST", "/api/signals/watches", { timeout_s: 60, agent_id: agent.id, channel_id: channel.id }));
    const poll = json(api("GET", `/api/signals/watches/${created.id}?wait=30`));
    await mms(channel, account.token, "+15550009999", "Your boarding pass, code 482913", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    const matched = await poll;
    expect(matched).toMatchObject({ status: "matched", signal: { code: "482913" } });
    const [item] = matched.signal.media;
    expect(matched.signal.media).toEqual([{ id: expect.stringMatching(/^med_/), content_type: "image/png", url: `/api/media/${item.id}` }]);
    const key = (await json(api("POST", `/api/agents/${agent.id}/keys`, {}))).key;
    const res = await vi.waitFor(async () => {
      const r = await call(new Request(`${BASE}${item.url}`, { headers: { authorization: `Bearer ${key}` } }));
      if (r.status !== 200) throw new Error(`media answered ${r.status}`);
      return r;
    });
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(b64bytes(PNG_B64));
  });

  it.each([["this channel", true], ["any signal-mode channel", false]])("lets the agent whose watch on %s took the signal fetch its media, and no other", async (_, onChannel) => {
    const { channel, account } = await seedChannel({ dispatch_mode: "signal" });
    const [waiter, other] = [(await seedAgent()).agent, (await seedAgent()).agent];
    // No lookback: a watch on any signal-mode channel would otherwise take a free signal an earlier file left behind.
    const created = await json(api("POST", "/api/signals/watches", { timeout_s: 60, lookback_s: 0, agent_id: waiter.id, ...(onChannel ? { channel_id: channel.id } : {}) }));
    const poll = json(api("GET", `/api/signals/watches/${created.id}?wait=30`));
    await mms(channel, account.token, "+15550009998", "Your ticket, code 551204", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    const [item] = (await poll).signal.media;
    const keyOf = async (agentId: string) => (await json(api("POST", `/api/agents/${agentId}/keys`, {}))).key;
    const fetchWith = (key: string) => call(new Request(`${BASE}${item.url}`, { headers: { authorization: `Bearer ${key}` } }));
    const res = await vi.waitFor(async () => {
      const r = await fetchWith(await keyOf(waiter.id));
      if (r.status !== 200) throw new Error(`media answered ${r.status}`);
      return r;
    });
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(b64bytes(PNG_B64));
    expect((await fetchWith(await keyOf(other.id))).status).toBe(404);
  });
});
