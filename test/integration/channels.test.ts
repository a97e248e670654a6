import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { fakeAccount, fakeState, injectFault, seedChannel } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

async function createWith(config: Record<string, string>, extra: Record<string, unknown> = {}) {
  const space = await json(api("POST", "/api/spaces", { name: "Home" }));
  const agent = await json(api("POST", "/api/agents", { name: "Assistant", space_id: space.id }));
  return api("POST", "/api/channels", { provider: "twilio_sms", space_id: space.id, agent_id: agent.id, config, ...extra });
}

describe("creating a channel", () => {
  it("registers the number with Twilio and starts pairing", async () => {
    const { account, channel, status } = await seedChannel();
    expect(status).toBe(201);
    expect(channel).toMatchObject({
      id: expect.stringMatching(/^ch_/),
      provider: "twilio_sms",
      handle: "sms",
      status: "pairing",
      error: null,
      dispatch_mode: "message",
      webhook_url: `https://textgate.example/webhooks/twilio/sms/${channel.id}`,
      pairing: { code: expect.stringMatching(/^[A-Z2-9]{6}$/), expires_at: expect.any(String) },
      paired_addresses: [],
      config: { account_sid: account.sid, from_number: "+15550001111" },
    });
    expect(JSON.stringify(channel)).not.toContain(account.token);
    const expiresIn = Date.parse(channel.pairing.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);

    const state = await fakeState(account.sid);
    expect(state.numbers[0]).toMatchObject({ sms_url: channel.webhook_url, sms_method: "POST" });
    expect(state.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET IncomingPhoneNumbers.json",
      `POST IncomingPhoneNumbers/${state.numbers[0]!.sid}.json`,
    ]);
  });

  it("gives handles sms, sms-2, sms-3", async () => {
    const a = await seedChannel();
    const b = await seedChannel();
    const c = await seedChannel();
    expect([a.channel.handle, b.channel.handle, c.channel.handle]).toEqual(["sms", "sms-2", "sms-3"]);
  });

  it("stores the auth token encrypted, never in plaintext", async () => {
    const { account, channel } = await seedChannel();
    const row = await env.DB.prepare("SELECT * FROM channels WHERE id = ?").bind(channel.id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain(account.token);
    expect(String(row!.auth_token_sealed)).toMatch(/^v1\./);
  });

  it("fails with bad_credentials when Twilio answers 401/20003", async () => {
    const account = await fakeAccount();
    const res = await createWith({ account_sid: account.sid, auth_token: "wrong-token", from_number: "+15550001111" });
    expect(res.status).toBe(201);
    const channel = await res.json<any>();
    expect(channel.status).toBe("failed");
    expect(channel.error.code).toBe("bad_credentials");
    expect(channel.error.message).toContain("20003");
    expect(channel.pairing).toBeNull();
  });

  it("fails with number_not_found when the number is not in the account", async () => {
    const account = await fakeAccount([{ phone_number: "+15550001111" }]);
    const channel = await json(createWith({ account_sid: account.sid, auth_token: account.token, from_number: "+15559990000" }));
    expect(channel).toMatchObject({ status: "failed", error: { code: "number_not_found" } });
  });

  it("fails with not_sms_capable for a voice-only number", async () => {
    const { channel } = await seedChannel({ numbers: [{ phone_number: "+15550001111", sms: false }] });
    expect(channel).toMatchObject({ status: "failed", error: { code: "not_sms_capable" } });
  });

  it("fails with twilio_unreachable when the connection drops or Twilio errors", async () => {
    const account = await fakeAccount();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", drop: true });
    const dropped = await json(createWith({ account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" }));
    expect(dropped).toMatchObject({ status: "failed", error: { code: "twilio_unreachable" } });

    // Another account: the failed channel above still holds its number (one number, one channel).
    const other = await fakeAccount();
    await injectFault(other.sid, { match: "IncomingPhoneNumbers", status: 503, code: 20503, message: "Service unavailable" });
    const unavailable = await json(createWith({ account_sid: other.sid, auth_token: other.token, from_number: "+15550001111" }));
    expect(unavailable).toMatchObject({ status: "failed", error: { code: "twilio_unreachable" } });
  });

  it("validates fields before anything is created", async () => {
    const account = await fakeAccount();
    const bad = await createWith({ account_sid: "AC123", auth_token: account.token, from_number: "555-1234" });
    expect(bad.status).toBe(400);
    const body = await bad.json<any>();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.issues.map((i: any) => i.path).sort()).toEqual(["config.account_sid", "config.from_number"]);

    const missing = await createWith({ account_sid: account.sid, from_number: "+15550001111" });
    expect(missing.status).toBe(400);
    expect((await missing.json<any>()).error.message).toContain("VOICE_TWILIO_AUTH_TOKEN");

    expect((await createWith({}, { provider: "whatsapp" })).status).toBe(400);
    expect(await json(api("GET", "/api/channels"))).toEqual([]);
  });

  it("rejects an agent from another space", async () => {
    const account = await fakeAccount();
    const s1 = await json(api("POST", "/api/spaces", { name: "One" }));
    const s2 = await json(api("POST", "/api/spaces", { name: "Two" }));
    const agent = await json(api("POST", "/api/agents", { name: "A", space_id: s2.id }));
    const res = await api("POST", "/api/channels", {
      provider: "twilio_sms",
      space_id: s1.id,
      agent_id: agent.id,
      config: { account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" },
    });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.details.issues[0].path).toBe("agent_id");
  });
});

describe("managing a channel", () => {
  it("gets, lists and 404s", async () => {
    const { channel } = await seedChannel();
    expect(await json(api("GET", `/api/channels/${channel.id}`))).toEqual(channel);
    expect(await json(api("GET", "/api/channels"))).toEqual([channel]);
    const missing = await api("GET", "/api/channels/ch_missing");
    expect(missing.status).toBe(404);
    expect((await missing.json<any>()).error.code).toBe("not_found");
    for (const [method, path] of [
      ["PATCH", "/api/channels/ch_missing"],
      ["DELETE", "/api/channels/ch_missing"],
      ["POST", "/api/channels/ch_missing/connect"],
      ["POST", "/api/channels/ch_missing/pairing"],
      ["GET", "/api/channels/ch_missing/messages"],
      ["DELETE", "/api/channels/ch_missing/paired-addresses/%2B15550001111"],
    ] as const) {
      expect((await api(method, path, method === "PATCH" ? {} : undefined)).status, `${method} ${path}`).toBe(404);
    }
  });

  it("retries registration with connect after fixing the failure", async () => {
    const account = await fakeAccount();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", status: 500 });
    const failed = await json(createWith({ account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" }));
    expect(failed.status).toBe("failed");
    const res = await api("POST", `/api/channels/${failed.id}/connect`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "pairing", error: null, pairing: { code: expect.any(String) } });
  });

  it("PATCH re-registers when credentials change and validates the patch", async () => {
    const account = await fakeAccount();
    const failed = await json(createWith({ account_sid: account.sid, auth_token: "wrong", from_number: "+15550001111" }));
    expect(failed.error.code).toBe("bad_credentials");
    const fixed = await json(api("PATCH", `/api/channels/${failed.id}`, { config: { auth_token: account.token } }));
    expect(fixed).toMatchObject({ status: "pairing", error: null });
    expect((await api("PATCH", `/api/channels/${failed.id}`, { config: { from_number: "nope" } })).status).toBe(400);
    expect((await api("PATCH", `/api/channels/${failed.id}`, { dispatch_mode: "carrier-pigeon" })).status).toBe(400);
    expect((await api("PATCH", `/api/channels/${failed.id}`, { agent_id: "ag_missing" })).status).toBe(400);
  });

  it("issues a new pairing code on demand", async () => {
    const { channel } = await seedChannel();
    const res = await api("POST", `/api/channels/${channel.id}/pairing`);
    expect(res.status).toBe(201);
    const pairing = await res.json<any>();
    expect(pairing).toEqual({ code: expect.stringMatching(/^[A-Z2-9]{6}$/), expires_at: expect.any(String) });
    expect((await json(api("GET", `/api/channels/${channel.id}`))).pairing).toEqual(pairing);
  });

  it("refuses a pairing code while the channel is failed", async () => {
    const { channel } = await seedChannel({ numbers: [{ phone_number: "+15550001111", sms: false }] });
    const res = await api("POST", `/api/channels/${channel.id}/pairing`);
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("channel_not_ready");
  });

  it("deletes the channel and clears the SmsUrl it set", async () => {
    const { account, channel } = await seedChannel();
    const res = await api("DELETE", `/api/channels/${channel.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: channel.id, deleted: true, sms_url_cleared: true });
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe("");
    expect((await api("GET", `/api/channels/${channel.id}`)).status).toBe(404);
  });

  it("disconnects: clears the SmsUrl and keeps the channel", async () => {
    const { account, channel } = await seedChannel();
    const res = await json(api("POST", `/api/channels/${channel.id}/disconnect`));
    expect(res).toMatchObject({ status: "disconnected", pairing: null });
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe("");
    expect(await json(api("POST", `/api/channels/${channel.id}/connect`))).toMatchObject({ status: "pairing" });
  });
});
