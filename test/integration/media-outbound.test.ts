// attach_media: an agent sends a picture with its reply, which goes as the turn's one message, an MMS. Its MediaUrl
// is a signed, expiring link to this deployment that Twilio fetches without credentials, fixed in the ledger with
// the body, so a resend carries the same link. Only this channel's stored media, or URLs the owner allowed. Through a
// Messaging Service the MMS goes the same way, with MessagingServiceSid instead of From.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, BASE, call, json } from "../helpers/api";
import { scriptFake, type FakeStep } from "../helpers/fake-openai";
import { outbound, settledTurns, turns } from "../helpers/turns";
import { fakeService, fakeState, injectFault, mms, pair, PNG_B64, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770153";
const png = () => Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0));

async function connected(opts: Parameters<typeof seedChannel>[0] = {}) {
  const seeded = await seedChannel(opts);
  await env.DB.prepare("UPDATE agents SET model = 'openai:gpt-test' WHERE id = ?").bind(seeded.agent.id).run();
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

/** A channel whose owner has texted a picture; returns its stored media id. */
async function withPicture(opts: Parameters<typeof seedChannel>[0] = {}) {
  const seeded = await connected(opts);
  const first = await scriptFake([{ text: "Got your picture." }]);
  await mms(seeded.channel, seeded.account.token, OWNER, `keep this ${first.marker}`, [{ content_type: "image/png", data_b64: PNG_B64 }]);
  await settledTurns(seeded.channel.id);
  const msgs = await json<any[]>(api("GET", `/api/channels/${seeded.channel.id}/messages`));
  const picture = msgs.find((m) => m.direction === "inbound" && m.media.length)!.media[0];
  expect(picture.status).toBe("stored");
  return { ...seeded, picture };
}

const attach = (args: Record<string, unknown>): FakeStep => ({ tool_calls: [{ name: "attach_media", arguments: args }] });
const mmsPosts = async (sid: string) => (await fakeState(sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json" && r.media_urls);
const get = (url: string) => call(new Request(url.replace("https://textgate.example", BASE)));

async function toolResults(script: Awaited<ReturnType<typeof scriptFake>>) {
  const requests = await script.requests();
  return requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(typeof m.content === "string" ? m.content : JSON.stringify(m.content)));
}

describe("attach_media", () => {
  it("sends a stored picture back: one MMS whose MediaUrl Twilio can fetch without credentials", { timeout: 15_000 }, async () => {
    const { channel, account, picture } = await withPicture();
    const script = await scriptFake([attach({ media_id: picture.id }), { text: "Here it is again." }]);
    await sms(channel, account.token, OWNER, `send it back ${script.marker}`);
    const turns = await settledTurns(channel.id, 2);
    expect(turns[1]).toMatchObject({ status: "completed", tool_calls: ["attach_media"] });
    expect(await toolResults(script)).toEqual([{ status: "attached", id: expect.stringMatching(/^med_/), content_type: "image/png", size: png().length, attached: 1 }]);

    const [post] = await mmsPosts(account.sid);
    expect(post!.form.Body).toBe("Here it is again.");
    expect(post!.media_urls).toHaveLength(1);
    const url = post!.media_urls![0]!;
    expect(url).toMatch(/^https:\/\/textgate\.example\/m\/med_\w+\.[0-9a-z]+\.[0-9a-z]{24}$/);
    const fetched = await get(url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(png());
    // Any change to the link makes it worthless.
    expect((await get(url.slice(0, -1) + (url.endsWith("a") ? "b" : "a"))).status).toBe(404);

    const reply = (await outbound(channel.id)).at(-1);
    expect(reply).toMatchObject({ body: "Here it is again.", encoding: "MMS", segments: 1, media: [{ content_type: "image/png", status: "stored", size: png().length }] });
    expect((await fakeState(account.sid)).messages.filter((m) => m.to === OWNER)).toHaveLength(2);
  });

  it("fetches a URL only under MEDIA_ALLOWED_URLS, and says why it refused another", async () => {
    const { channel, account } = await connected();
    const made = await (await fetch(`${env.TWILIO_API_BASE}/__fake/accounts/${account.sid}/media`, { method: "POST", body: JSON.stringify({ media: [{ content_type: "image/png", data_b64: PNG_B64 }] }) })).json<any>();
    const allowed = `${env.TWILIO_API_BASE}/__cdn/${made.params.MediaUrl0.split("/Media/")[1]}`;
    const script = await scriptFake([attach({ url: "https://evil.example/x.png" }), attach({ url: allowed }), { text: "A picture for you." }]);
    await sms(channel, account.token, OWNER, `a picture please ${script.marker}`);
    await settledTurns(channel.id);
    const requests = await script.requests();
    const results = requests[2]!.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(String(m.content)));
    expect(results).toEqual([
      { status: "refused", reason: "refused https://evil.example: https://evil.example/x.png is not under MEDIA_ALLOWED_URLS" },
      { status: "attached", id: expect.stringMatching(/^med_/), content_type: "image/png", size: png().length, attached: 1 },
    ]);
    const [post] = await mmsPosts(account.sid);
    expect(post!.media_urls).toHaveLength(1);
    expect(new Uint8Array(await (await get(post!.media_urls![0]!)).arrayBuffer())).toEqual(png());
  });

  it("refuses another channel's media id: the reply goes as a plain SMS", { timeout: 15_000 }, async () => {
    const { picture } = await withPicture();
    const { channel, account } = await connected();
    const script = await scriptFake([attach({ media_id: picture.id }), { text: "Sorry." }]);
    await sms(channel, account.token, OWNER, `steal it ${script.marker}`);
    await settledTurns(channel.id);
    expect(await toolResults(script)).toEqual([{ status: "refused", reason: `${picture.id} is not a stored media item of this channel` }]);
    const posts = (await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");
    expect(posts.map((p) => [p.form.Body, p.media_urls])).toEqual([["Sorry.", undefined]]);
  });

  it("through a Messaging Service: the MMS carries MessagingServiceSid and the MediaUrl, and Twilio's pool number sends it", { timeout: 15_000 }, async () => {
    const [own, pool] = ["+15550005201", "+15550005202"];
    const service = async (a: { sid: string }) => (await fakeService(a.sid, { numbers: [pool] })).sid;
    const { channel, account, picture } = await withPicture({ numbers: [{ phone_number: own }, { phone_number: pool }], service });
    const script = await scriptFake([attach({ media_id: picture.id }), { text: "From the pool." }]);
    await sms(channel, account.token, OWNER, `send it ${script.marker}`);
    expect((await settledTurns(channel.id, 2))[1]).toMatchObject({ status: "completed" });
    const [post] = await mmsPosts(account.sid);
    expect(post!.form).toEqual({ To: OWNER, MessagingServiceSid: channel.config.messaging_service_sid, Body: "From the pool.", MediaUrl: expect.any(String), StatusCallback: channel.status_callback_url });
    expect(post!.media_urls).toEqual([expect.stringMatching(/^https:\/\/textgate\.example\/m\/med_/)]);
    expect(new Uint8Array(await (await get(post!.media_urls![0]!)).arrayBuffer())).toEqual(png());
    const sent = (await fakeState(account.sid)).messages.filter((m) => m.to === OWNER).at(-1);
    expect(sent).toMatchObject({ from: pool, messaging_service_sid: channel.config.messaging_service_sid, media_urls: post!.media_urls });
    expect((await outbound(channel.id)).at(-1)).toMatchObject({ from: pool, encoding: "MMS", media: [{ content_type: "image/png", status: "stored", size: png().length }] });
  });

  it("caps a reply at 10 attachments when the model asks for 11 at once (parallel tool calls interleave in the object)", { timeout: 15_000 }, async () => {
    const { channel, account, picture } = await withPicture();
    const calls = Array.from({ length: 11 }, () => ({ name: "attach_media", arguments: { media_id: picture.id } }));
    const script = await scriptFake([{ tool_calls: calls }, { text: "Many." }]);
    await sms(channel, account.token, OWNER, `all of them ${script.marker}`);
    expect((await settledTurns(channel.id, 2))[1]).toMatchObject({ status: "completed" });
    const results = await toolResults(script);
    expect(results.filter((r) => r.status === "attached")).toHaveLength(10);
    expect(results.filter((r) => r.status === "refused")).toEqual([{ status: "refused", reason: "a reply carries at most 10 attachments" }]);
    const [post] = await mmsPosts(account.sid);
    expect(post!.media_urls).toHaveLength(10);
    expect((await outbound(channel.id)).at(-1).media).toHaveLength(10);
  });

  it("refuses what a replaced run of the turn attaches (its consumer died mid-call; a newer run holds the turn)", { timeout: 15_000 }, async () => {
    const { channel, account, picture } = await withPicture();
    const script = await scriptFake([{ text: "Plain.", delay_ms: 2000 }]);
    await sms(channel, account.token, OWNER, `plain please ${script.marker}`);
    const running = await vi.waitFor(
      async () => {
        const turn = (await turns(channel.id)).find((t) => t.status === "running");
        if (!turn) throw new Error("no running turn yet");
        return turn;
      },
      { timeout: 10_000, interval: 20 },
    );
    // The dead run's call reaches the object only now, while the current run waits on its model.
    const stub = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    const late = await stub.attachMedia(channel.id, running.id, { mediaId: picture.id }, { jobId: "a-job-that-died", attempt: 1 });
    expect(late).toEqual({ status: "refused", reason: "this run of the turn was replaced by a newer one" });
    expect((await settledTurns(channel.id, 2))[1]).toMatchObject({ status: "completed" });
    expect(await mmsPosts(account.sid)).toEqual([]);
    expect((await outbound(channel.id)).at(-1)).toMatchObject({ body: "Plain.", media: [] });
  });

  it("fixes the MediaUrl with the body before the first send: every resend carries the same link", { timeout: 15_000 }, async () => {
    const { channel, account, picture } = await withPicture();
    const script = await scriptFake([attach({ media_id: picture.id }), { text: "Again." }]);
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 503, code: 20503, times: 2 });
    await sms(channel, account.token, OWNER, `resend ${script.marker}`);
    await vi.waitFor(async () => expect((await settledTurns(channel.id, 2))[1].status).toBe("completed"), { timeout: 10_000 });
    const posts = await mmsPosts(account.sid);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => JSON.stringify([p.form.Body, p.media_urls]))).size).toBe(1);
    expect((await fakeState(account.sid)).messages.filter((m) => m.to === OWNER)).toHaveLength(2);
  });
});
