// Channel health, checked against the fake Twilio: each check's ok, warn and fail paths, the few-seconds reuse of a
// result, the hourly check on the object's schedule, and the settings page listing the same checks. The clock is
// set (lib/clock for the API, a fixed Date for the alarm); nothing sleeps.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, BASE, json, call } from "../helpers/api";
import { changeNumberElsewhere, fakeState, injectFault, pair, seedChannel, sms, smsForm } from "../helpers/twilio";

const OWNER = "+15557770001";
const MIN = 60_000;

afterEach(() => {
  clock.now = () => Date.now();
  vi.useRealTimers();
});

const diagnostics = (id: string) => json(api("GET", `/api/channels/${id}/diagnostics`));
const check = (d: any, id: string) => d.checks.find((c: any) => c.id === id);
const numberReads = async (sid: string) => (await fakeState(sid)).requests.filter((r) => r.method === "GET" && r.path.startsWith("IncomingPhoneNumbers")).length;
const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

/** Moves the clock by `ms` from now on (both seams: lib/clock and Date, which the alarm reads). */
function advance(ms: number) {
  const at = Date.now() + ms;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

/** A webhook as a proxy or tunnel delivers it: sent to `reachedUrl`, signed by Twilio for `signedUrl`. */
function proxied(reachedUrl: string, signedUrl: string, token: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return call(
    new Request(reachedUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": getExpectedTwilioSignature(token, signedUrl, params), ...headers },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

async function insertOutbound(channelId: string, tag: string, status: string, at: number) {
  await env.DB.prepare(
    `INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, twilio_sid, created_at, updated_at) VALUES (?, ?, 'outbound', '+15550001111', ?, 'hi', ?, ?, ?, ?)`,
  )
    .bind(`msg_${tag}`, channelId, OWNER, status, `SM${tag.padStart(32, "0")}`, at, at)
    .run();
}

describe("GET /api/channels/:id/diagnostics", () => {
  it("lists every check, each ok on a fresh channel except that no text has arrived yet", async () => {
    const { channel } = await seedChannel();
    const d = await diagnostics(channel.id);
    expect(d.checked_at).toEqual(expect.any(String));
    expect(d.checks.map((c: any) => c.id)).toEqual(["credentials", "sms_url", "messaging_service", "signature", "status_callbacks", "inbound"]);
    expect(Object.fromEntries(d.checks.map((c: any) => [c.id, c.status]))).toEqual({
      credentials: "ok",
      sms_url: "ok",
      messaging_service: "ok",
      signature: "ok",
      status_callbacks: "ok",
      inbound: "warn",
    });
    expect(check(d, "messaging_service").message).toBe("No Messaging Service configured.");
    expect(check(d, "inbound").message).toBe("No text has arrived yet.");
    for (const c of d.checks) expect(c).toEqual({ id: expect.any(String), status: expect.any(String), message: expect.any(String), hint: expect.toBeOneOf([null, expect.any(String)]) });
  });

  it("reads the number by its SID, as Twilio's API has it", async () => {
    const { account, channel } = await seedChannel();
    await diagnostics(channel.id);
    const reads = (await fakeState(account.sid)).requests.filter((r) => r.method === "GET");
    expect(reads.at(-1)).toEqual({ method: "GET", path: `IncomingPhoneNumbers/${account.numbers[0]!.sid}.json`, form: {} });
  });

  it("warns when the SmsUrl was changed elsewhere, shows it on the channel, and Point it back repairs it", async () => {
    const { account, channel } = await seedChannel();
    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_url: "https://other.example/sms" });
    const d = await diagnostics(channel.id);
    expect(check(d, "sms_url")).toMatchObject({ status: "warn", message: `The number's SmsUrl is https://other.example/sms, not this channel's webhook ${channel.webhook_url}.` });
    expect(check(d, "sms_url").hint).toContain(`POST /api/channels/${channel.id}/connect`);
    const shown = await json(api("GET", `/api/channels/${channel.id}`));
    expect(shown.status).toBe("pairing");
    expect(shown.error).toEqual({ code: "sms_url_changed", message: check(d, "sms_url").message });

    await api("POST", `/api/channels/${channel.id}/connect`);
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe(channel.webhook_url);
    clock.now = () => Date.now() + 10_000;
    expect(check(await diagnostics(channel.id), "sms_url").status).toBe("ok");
    expect((await json(api("GET", `/api/channels/${channel.id}`))).error).toBeNull();
  });

  it("names the other channel when the SmsUrl points at one of ours", async () => {
    const { channel } = await seedChannel();
    const other = await seedChannel();
    await changeNumberElsewhere(other.account.sid, other.account.numbers[0]!.phone_number, { sms_url: channel.webhook_url });
    const d = await diagnostics(other.channel.id);
    expect(check(d, "sms_url").message).toContain(`channel ${channel.handle} (${channel.id})`);
  });

  it("warns when the SmsMethod is not POST", async () => {
    const { account, channel } = await seedChannel();
    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_method: "GET" });
    expect(check(await diagnostics(channel.id), "sms_url")).toMatchObject({ status: "warn", message: expect.stringContaining("SmsMethod is GET") });
  });

  it("fails when an SmsApplicationSid overrides the SmsUrl; Point it back clears it with Twilio's own parameter", async () => {
    const { account, channel } = await seedChannel();
    const app = `AP${"a".repeat(32)}`;
    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_application_sid: app });
    expect(check(await diagnostics(channel.id), "sms_url")).toMatchObject({ status: "fail", message: expect.stringContaining(`SmsApplicationSid ${app}`) });

    await api("POST", `/api/channels/${channel.id}/connect`);
    const state = await fakeState(account.sid);
    expect(state.numbers[0]!.sms_application_sid).toBe("");
    expect(state.requests.at(-1)).toEqual({ method: "POST", path: `IncomingPhoneNumbers/${account.numbers[0]!.sid}.json`, form: { SmsUrl: channel.webhook_url, SmsMethod: "POST", SmsApplicationSid: "" } });
    clock.now = () => Date.now() + 10_000;
    expect(check(await diagnostics(channel.id), "sms_url").status).toBe("ok");
  });

  it("fails the credentials check when Twilio answers 401 / 20003, and warns when Twilio cannot be reached", async () => {
    const { account, channel } = await seedChannel();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", status: 401, code: 20003, message: "Authenticate" });
    const d = await diagnostics(channel.id);
    expect(check(d, "credentials")).toMatchObject({ status: "fail", message: expect.stringContaining("rejected the credentials") });
    expect(check(d, "sms_url").status).toBe("warn");

    clock.now = () => Date.now() + 10_000;
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", drop: true });
    expect(check(await diagnostics(channel.id), "credentials")).toMatchObject({ status: "warn", message: expect.stringContaining("could not be reached") });
  });

  it("fails the number check when the number left the account", async () => {
    const { account, channel } = await seedChannel();
    await injectFault(account.sid, { match: `IncomingPhoneNumbers/${account.numbers[0]!.sid}`, status: 404, code: 20404, message: "not found" });
    expect(check(await diagnostics(channel.id), "sms_url")).toMatchObject({ status: "fail", message: expect.stringContaining("is no longer in Twilio account") });
  });

  it("warns when replies sent over ten minutes ago never got a status callback", async () => {
    const { channel } = await seedChannel();
    const now = Date.now();
    await insertOutbound(channel.id, "1", "delivered", now - 30 * MIN);
    await insertOutbound(channel.id, "2", "queued", now - 2 * MIN); // too recent to tell
    expect(check(await diagnostics(channel.id), "status_callbacks").status).toBe("ok");

    await insertOutbound(channel.id, "3", "queued", now - 20 * MIN);
    clock.now = () => now + 10_000;
    const c = check(await diagnostics(channel.id), "status_callbacks");
    expect(c).toMatchObject({ status: "warn", message: expect.stringContaining("1 of 2 replies") });
    expect(c.hint).toContain(channel.status_callback_url);
  });

  it("says when the last text came", async () => {
    const { account, channel } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const c = check(await diagnostics(channel.id), "inbound");
    expect(c.status).toBe("ok");
    expect(c.message).toMatch(/^The last text arrived at \d{4}-\d\d-\d\dT/);
  });

  it("reuses a result only while it is a few seconds old", async () => {
    const { account, channel } = await seedChannel();
    const now = Date.now();
    clock.now = () => now;
    const before = await numberReads(account.sid);
    const first = await diagnostics(channel.id);
    clock.now = () => now + 2_000;
    expect(await diagnostics(channel.id)).toEqual(first);
    expect(await numberReads(account.sid)).toBe(before + 1);
    clock.now = () => now + 10_000;
    expect((await diagnostics(channel.id)).checked_at).not.toBe(first.checked_at);
    expect(await numberReads(account.sid)).toBe(before + 2);
  });
});

describe("the signature check", () => {
  const hook = (id: string) => `/webhooks/twilio/sms/${id}`;

  it("is ok with no refused webhooks, and names the host a tunnel forwarded for (X-Forwarded-Proto/Host)", async () => {
    const { account, channel } = await seedChannel();
    const signed = `https://tunnel.example${hook(channel.id)}`;
    const res = await proxied(`http://localhost:8787${hook(channel.id)}`, signed, account.token, smsForm(channel, OWNER, "hello"), { "x-forwarded-proto": "https", "x-forwarded-host": "tunnel.example" });
    expect(res.status).toBe(403);
    // Still refused, nothing stored.
    expect(await json(api("GET", `/api/channels/${channel.id}/messages`))).toEqual([]);
    const c = check(await diagnostics(channel.id), "signature");
    expect(c.status).toBe("fail");
    expect(c.message).toBe(`Twilio signed ${signed}; SERVER_EXTERNAL_URL gives https://textgate.example${hook(channel.id)}: set SERVER_EXTERNAL_URL to https://tunnel.example`);
  });

  it("names the URL the request actually reached", async () => {
    const { account, channel } = await seedChannel();
    const reached = `http://localhost:8787${hook(channel.id)}`;
    expect((await proxied(reached, reached, account.token, smsForm(channel, OWNER, "hello"))).status).toBe(403);
    expect(check(await diagnostics(channel.id), "signature").message).toBe(
      `Twilio signed ${reached}; SERVER_EXTERNAL_URL gives https://textgate.example${hook(channel.id)}: set SERVER_EXTERNAL_URL to http://localhost:8787`,
    );
  });

  it("reads the scheme from CF-Visitor, for status callbacks too", async () => {
    const { account, channel } = await seedChannel();
    const signed = `https://edge.example${hook(channel.id)}/status`;
    const params = { MessageSid: `SM${"1".repeat(32)}`, AccountSid: account.sid, MessageStatus: "sent", ApiVersion: "2010-04-01" };
    const res = await proxied(`http://edge.example${hook(channel.id)}/status`, signed, account.token, params, { "cf-visitor": '{"scheme":"https"}' });
    expect(res.status).toBe(403);
    expect(check(await diagnostics(channel.id), "signature").message).toBe(
      `Twilio signed ${signed}; SERVER_EXTERNAL_URL gives https://textgate.example${hook(channel.id)}/status: set SERVER_EXTERNAL_URL to https://edge.example`,
    );
  });

  it("says the auth token probably changed when no URL verifies", async () => {
    const { channel } = await seedChannel();
    const res = await proxied(`${BASE}${hook(channel.id)}`, `https://textgate.example${hook(channel.id)}`, "not-the-token", smsForm(channel, OWNER, "hello"), { "x-forwarded-host": "tunnel.example" });
    expect(res.status).toBe(403);
    const c = check(await diagnostics(channel.id), "signature");
    expect(c).toMatchObject({ status: "fail", message: expect.stringContaining("auth token probably changed") });
  });

  it("is ok again once a correctly signed webhook arrives after the failures", async () => {
    const { account, channel } = await seedChannel();
    const reached = `http://localhost:8787${hook(channel.id)}`;
    await proxied(reached, reached, account.token, smsForm(channel, OWNER, "hello"));
    expect((await sms(channel, account.token, OWNER, "again")).status).toBe(200);
    clock.now = () => Date.now() + 10_000;
    expect(check(await diagnostics(channel.id), "signature").status).toBe("ok");
  });

  it("keeps at most the last 20 failures, and survives hostile forwarding headers", async () => {
    const { account, channel } = await seedChannel();
    const reached = `http://localhost:8787${hook(channel.id)}`;
    const headers = { "x-forwarded-host": "h".repeat(10_000), "x-forwarded-proto": "gopher", "cf-visitor": "{not json" };
    for (let i = 0; i < 25; i++) expect((await proxied(reached, reached, account.token, smsForm(channel, OWNER, `n${i}`), headers)).status).toBe(403);
    const rows = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec(`SELECT count(*) AS n FROM signature_failures`).one().n);
    expect(rows).toBe(20);
    expect(check(await diagnostics(channel.id), "signature").message).toContain("set SERVER_EXTERNAL_URL to http://localhost:8787");
  });
});

describe("the hourly health check", () => {
  it("runs on the object's schedule and shows a drift it finds on the channel", async () => {
    const { account, channel } = await seedChannel();
    const at = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec<{ at: number }>(`SELECT at FROM schedules WHERE kind = 'health'`).toArray()[0]?.at);
    expect(at).toBeGreaterThan(Date.now() + 50 * MIN);
    expect(at).toBeLessThanOrEqual(Date.now() + 60 * MIN);

    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_url: "https://other.example/sms" });
    const reads = await numberReads(account.sid);
    advance(61 * MIN);
    expect(await runDurableObjectAlarm(objectOf(channel.id))).toBe(true);
    expect(await numberReads(account.sid)).toBe(reads + 1);
    expect((await json(api("GET", `/api/channels/${channel.id}`))).error).toMatchObject({ code: "sms_url_changed" });
    // The stored result is the one the page shows: no second read of the number within seconds.
    expect(check(await diagnostics(channel.id), "sms_url").status).toBe("warn");
    expect(await numberReads(account.sid)).toBe(reads + 1);
    const next = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec<{ at: number }>(`SELECT at FROM schedules WHERE kind = 'health'`).one().at);
    expect(next).toBe(Date.now() + 60 * MIN);
  });
});

describe("the settings page", () => {
  async function signIn() {
    const res = await exports.default.fetch(
      new Request(`${BASE}/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE }, body: new URLSearchParams({ token: env.ADMIN_TOKEN }).toString(), redirect: "manual" }),
    );
    return res.headers.get("set-cookie")!.split(";")[0]!;
  }
  const page = async (cookie: string, path: string) => (await exports.default.fetch(new Request(`${BASE}${path}`, { headers: { cookie } }))).text();

  it("lists the same checks, with Point it back when the SmsUrl drifted", async () => {
    const { account, channel } = await seedChannel();
    const cookie = await signIn();
    const html = await page(cookie, `/settings/channels/${channel.id}`);
    expect(html).toContain('data-part="diagnostics"');
    for (const id of ["credentials", "sms_url", "messaging_service", "signature", "status_callbacks", "inbound"]) expect(html).toContain(`data-check="${id}"`);
    expect(html).not.toContain("Point it back");

    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_url: "https://other.example/sms" });
    clock.now = () => Date.now() + 10_000;
    const part = await page(cookie, `/settings/channels/${channel.id}/parts/diagnostics`);
    expect(part).toContain("https://other.example/sms");
    expect(part).toContain(`data-action="POST /api/channels/${channel.id}/connect"`);
    expect(part).toContain("Point it back");
    expect(part).not.toMatch(/<script/);
  });
});
