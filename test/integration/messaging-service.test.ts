// Channels that send through a Messaging Service, against the emulator's Messaging API: the SID on create and PATCH,
// registration and the messaging_service check reading the service (deferring, its own inbound URL, elsewhere,
// none, no such service), replies sent with MessagingServiceSid from a pool number that is not the channel's, and an
// accept-then-504 through a service reconciled without a second SMS.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, json, seedAgent, uiPage as page } from "../helpers/api";
import { outbound, settledTurns } from "../helpers/turns";
import { changeServiceElsewhere, fakeAccount, fakeService, fakeState, injectFault, pair, seedChannel, sms, type FakeAccount } from "../helpers/twilio";

const OWNER = "+15557770051";
const CHANNEL_NUMBER = "+15550005101";
const POOL_NUMBER = "+15550005102";
const NUMBERS = [{ phone_number: CHANNEL_NUMBER }, { phone_number: POOL_NUMBER }];
const randomMg = () => `MG${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

const diagnostics = (id: string) => json(api("GET", `/api/channels/${id}/diagnostics`));
const checkOf = async (id: string) => (await diagnostics(id)).checks.find((c: any) => c.id === "messaging_service");
const serviceReads = async (acct: string, sid: string) => (await fakeState(acct)).requests.filter((r) => r.method === "GET" && r.path === `/v1/Services/${sid}`).length;
/** A service whose Sender Pool is the second number only, so Twilio's sender is never the channel's own number. */
const poolService = (fields: Parameters<typeof fakeService>[1] = {}) => async (a: FakeAccount) => (await fakeService(a.sid, { friendly_name: "A2P", numbers: [POOL_NUMBER], ...fields })).sid;
afterEach(() => {
  clock.now = () => Date.now();
});

/** Each diagnostics call after a change reads Twilio again (a result is reused for 5 s). */
let later = 0;
const fresh = () => {
  later += 10_000;
  const at = Date.now() + later;
  clock.now = () => at;
};

async function createWith(account: FakeAccount, messaging_service_sid: unknown) {
  const { space, agent } = await seedAgent();
  return api("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    config: { account_sid: account.sid, auth_token: account.token, from_number: account.numbers[0]!.phone_number, messaging_service_sid },
  });
}

describe("messaging_service_sid in a channel's config", () => {
  it("is taken on create in either case of hex and read from Twilio's Messaging API; a malformed one names the field", async () => {
    const account = await fakeAccount(NUMBERS);
    for (const bad of ["MG123", `mg${"a".repeat(32)}`, `MG${"g".repeat(32)}`, `AC${"a".repeat(32)}`, 42]) {
      const res = await createWith(account, bad);
      expect(res.status, String(bad)).toBe(400);
      expect((await res.json<any>()).error.details.issues.map((i: any) => i.path)).toContain("config.messaging_service_sid");
    }
    const svc = await fakeService(account.sid, { numbers: [POOL_NUMBER] });
    const upper = `MG${svc.sid.slice(2).toUpperCase()}`;
    const res = await createWith(account, upper);
    expect(res.status).toBe(201);
    const channel = await res.json<any>();
    expect(channel).toMatchObject({ status: "pairing", error: null, config: { messaging_service_sid: upper } });
    expect((await fakeState(account.sid)).requests.some((r) => r.method === "GET" && r.path === `/v1/Services/${upper}`)).toBe(true);
  });

  it("is set, changed and cleared by PATCH, each change registering again (the same SID in another case is no change)", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS });
    expect(channel.config.messaging_service_sid).toBeNull();
    const svc = await fakeService(account.sid, { numbers: [POOL_NUMBER] });
    const registrations = async () => (await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path.startsWith("IncomingPhoneNumbers/")).length;
    const before = await registrations();

    const set = await json(api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: svc.sid } }));
    expect(set).toMatchObject({ status: "pairing", config: { messaging_service_sid: svc.sid } });
    expect(await registrations()).toBe(before + 1);
    expect(await serviceReads(account.sid, svc.sid)).toBe(1);

    await json(api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: `MG${svc.sid.slice(2).toUpperCase()}` } }));
    expect(await registrations()).toBe(before + 1);

    const bad = await api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: "MGnope" } });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.message).toMatch(/^config\.messaging_service_sid: /);

    expect((await json(api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: null } }))).config.messaging_service_sid).toBeNull();
    expect(await registrations()).toBe(before + 2);
    await json(api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: svc.sid } }));
    expect((await json(api("PATCH", `/api/channels/${channel.id}`, { config: { messaging_service_sid: "" } }))).config.messaging_service_sid).toBeNull();
  });
});

describe("registration with a Messaging Service", () => {
  it("fails with messaging_service_not_found when the account has no such service", async () => {
    const account = await fakeAccount(NUMBERS);
    const sid = randomMg();
    const channel = await json(createWith(account, sid));
    expect(channel.status).toBe("failed");
    expect(channel.error).toEqual({ code: "messaging_service_not_found", message: expect.stringContaining(`Messaging Service ${sid}: no such Messaging Service in this account`) });
    fresh();
    const c = await checkOf(channel.id);
    expect(c).toMatchObject({ status: "fail", message: expect.stringContaining("no such Messaging Service in this account"), hint: expect.stringContaining("Messaging → Services") });
  });

  it("fails with messaging_service_inbound when the service sends texts elsewhere, saying what to set; Retry after the fix connects", async () => {
    const account = await fakeAccount(NUMBERS);
    const svc = await fakeService(account.sid, { friendly_name: "Marketing", numbers: [CHANNEL_NUMBER], use_inbound_webhook_on_number: false, inbound_request_url: "https://other.example/in" });
    const channel = await json(createWith(account, svc.sid));
    expect(channel.status).toBe("failed");
    expect(channel.error.code).toBe("messaging_service_inbound");
    expect(channel.error.message).toContain("sends incoming texts to https://other.example/in, not to this channel's webhook");
    expect(channel.error.message).toContain(`Messaging → Services → Marketing → Integration and choose "Defer to sender's webhook"`);

    await changeServiceElsewhere(account.sid, svc.sid, { use_inbound_webhook_on_number: true });
    expect(await json(api("POST", `/api/channels/${channel.id}/connect`))).toMatchObject({ status: "pairing", error: null });
  });
});

describe("the messaging_service check", () => {
  it("is ok while the service defers to the number's webhook, or sends texts to this channel's webhook by POST", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    expect(channel.status).toBe("pairing");
    const svc = channel.config.messaging_service_sid;
    expect(await checkOf(channel.id)).toEqual({ id: "messaging_service", status: "ok", message: expect.stringContaining(`Messaging Service A2P (${svc}) defers incoming texts to the number's own webhook`), hint: null });

    await changeServiceElsewhere(account.sid, svc, { use_inbound_webhook_on_number: false, inbound_request_url: channel.webhook_url, inbound_method: "POST" });
    fresh();
    expect(await checkOf(channel.id)).toMatchObject({ status: "ok", message: expect.stringContaining("sends incoming texts to this channel's webhook") });
  });

  it("fails when the service stops deferring (elsewhere, nowhere, or by GET), shows it on the channel, and clears when fixed", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    const svc = channel.config.messaging_service_sid;

    await changeServiceElsewhere(account.sid, svc, { use_inbound_webhook_on_number: false, inbound_request_url: "https://other.example/in" });
    fresh();
    const elsewhere = await checkOf(channel.id);
    expect(elsewhere).toMatchObject({ status: "fail", message: expect.stringContaining("sends incoming texts to https://other.example/in"), hint: expect.stringContaining(`"Defer to sender's webhook" (or "Send a webhook" with ${channel.webhook_url}, HTTP POST)`) });
    expect((await json(api("GET", `/api/channels/${channel.id}`))).error).toEqual({ code: "messaging_service_changed", message: elsewhere.message });

    await changeServiceElsewhere(account.sid, svc, { inbound_request_url: null });
    fresh();
    expect(await checkOf(channel.id)).toMatchObject({ status: "fail", message: expect.stringContaining("has no inbound URL and does not defer to the number's webhook, so Twilio drops texts") });

    await changeServiceElsewhere(account.sid, svc, { inbound_request_url: channel.webhook_url, inbound_method: "GET" });
    fresh();
    expect(await checkOf(channel.id)).toMatchObject({ status: "fail", message: expect.stringContaining("by GET, but textgate takes them by POST") });

    await changeServiceElsewhere(account.sid, svc, { use_inbound_webhook_on_number: true });
    fresh();
    expect((await checkOf(channel.id)).status).toBe("ok");
    expect((await json(api("GET", `/api/channels/${channel.id}`))).error).toBeNull();
  });

  it("reads the service with the channel's credentials at GET /v1/Services/{Sid}", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    const svc = channel.config.messaging_service_sid;
    const reads = await serviceReads(account.sid, svc);
    fresh();
    await diagnostics(channel.id);
    expect(await serviceReads(account.sid, svc)).toBe(reads + 1);
    expect((await fakeState(account.sid)).requests.filter((r) => r.path.startsWith("/v1/")).every((r) => r.method === "GET" && r.path === `/v1/Services/${svc}`)).toBe(true);
  });
});

describe("replies through a Messaging Service", () => {
  it("go out with MessagingServiceSid and no From; the sender Twilio picked from the pool is recorded", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    await pair(channel, account.token, OWNER);
    await sms(channel, account.token, OWNER, "hello");
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    const posts = (await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.form).toEqual({ To: OWNER, MessagingServiceSid: channel.config.messaging_service_sid, Body: expect.any(String), StatusCallback: channel.status_callback_url });
    const [reply] = await outbound(channel.id);
    const [sent] = (await fakeState(account.sid)).messages.filter((m) => m.to === OWNER);
    expect(sent).toMatchObject({ from: POOL_NUMBER, messaging_service_sid: channel.config.messaging_service_sid });
    expect(reply).toMatchObject({ from: POOL_NUMBER, to: OWNER, twilio_sid: sent!.sid });
  });

  it("Twilio accepts and answers 504: reconciled by To and the service (the sender is not the channel's number), not resent", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    await pair(channel, account.token, OWNER);
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true, status: 504, code: 20504, message: "Gateway Timeout" });
    await sms(channel, account.token, OWNER, "hello");
    const [turn] = await settledTurns(channel.id);
    const accepted = (await fakeState(account.sid)).messages.filter((m) => m.to === OWNER);
    expect(accepted).toHaveLength(1);
    expect(turn).toMatchObject({ status: "completed", attempts: expect.any(Number) });
    expect(turn.attempts).toBeGreaterThan(1);
    const [reply] = await outbound(channel.id);
    expect(reply).toMatchObject({ twilio_sid: accepted[0]!.sid, from: POOL_NUMBER });
  }, 20_000);

  it("a service without senders: the reply fails with Twilio's 21704, explained", async () => {
    const { account, channel } = await seedChannel({ numbers: NUMBERS, service: poolService({ numbers: [] }) });
    await pair(channel, account.token, OWNER);
    await sms(channel, account.token, OWNER, "hello");
    expect((await settledTurns(channel.id))[0].status).toBe("failed");
    const [reply] = await outbound(channel.id);
    expect(reply.error).toMatchObject({ code: "21704", explanation: expect.stringContaining("no phone number to send from"), more_info: "https://www.twilio.com/docs/errors/21704" });
  });
});

describe("the emulator's Messaging API and Messages create with a service", () => {
  const basic = (a: FakeAccount) => `Basic ${btoa(`${a.sid}:${a.token}`)}`;
  const create = (a: FakeAccount, form: Record<string, string>) =>
    fetch(`${env.TWILIO_API_BASE}/2010-04-01/Accounts/${a.sid}/Messages.json`, { method: "POST", headers: { authorization: basic(a), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });

  it("answers Twilio's resource, 404 20404 for another account's or no service, 401 for a wrong token", async () => {
    const a = await fakeAccount(NUMBERS);
    const b = await fakeAccount();
    const svc = await fakeService(a.sid, { numbers: [POOL_NUMBER] });
    const read = (acct: FakeAccount, sid: string, auth = basic(acct)) => fetch(`${env.TWILIO_MESSAGING_API_BASE}/v1/Services/${sid}`, { headers: { authorization: auth } });
    const ok = await read(a, svc.sid);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sid: svc.sid, account_sid: a.sid, use_inbound_webhook_on_number: true, inbound_request_url: null, inbound_method: "POST", url: `https://messaging.twilio.com/v1/Services/${svc.sid}` });
    expect(await (await read(b, svc.sid)).json()).toMatchObject({ code: 20404, status: 404 });
    expect((await read(a, svc.sid, `Basic ${btoa(`${a.sid}:wrong`)}`)).status).toBe(401);
  });

  it("refuses a wrong service as Twilio does: 21701 no such service, 21704 no senders, 21703 no SMS-capable sender", async () => {
    const a = await fakeAccount([{ phone_number: CHANNEL_NUMBER }, { phone_number: POOL_NUMBER, sms: false }]);
    const empty = await fakeService(a.sid, { numbers: [] });
    const voiceOnly = await fakeService(a.sid, { numbers: [POOL_NUMBER] });
    const answer = async (sid: string) => (await create(a, { To: OWNER, MessagingServiceSid: sid, Body: "hi" })).json<any>();
    expect(await answer(randomMg())).toMatchObject({ code: 21701, status: 400, more_info: "https://www.twilio.com/docs/errors/21701" });
    expect(await answer(empty.sid)).toMatchObject({ code: 21704, status: 400 });
    expect(await answer(voiceOnly.sid)).toMatchObject({ code: 21703, status: 400 });
    expect((await fakeState(a.sid)).messages).toEqual([]);
  });
});

describe("the settings UI", () => {
  it("offers an optional Messaging Service SID on Add channel and in a channel's Twilio settings, and lists the check", async () => {
    expect(await page("/settings/channels/new")).toMatch(/<input[^>]*name="config\.messaging_service_sid"/);
    const { channel } = await seedChannel({ numbers: NUMBERS, service: poolService() });
    const html = await page(`/settings/channels/${channel.id}`);
    expect(html).toMatch(new RegExp(`<input[^>]*name="config\\.messaging_service_sid"[^>]*value="${channel.config.messaging_service_sid}"`));
    expect(html).toMatch(/data-check="messaging_service" data-status="ok"/);
    expect(html).toContain("defers incoming texts to the number&#39;s own webhook");
  });
});
