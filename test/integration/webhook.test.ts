import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json, call, refused } from "../helpers/api";
import { messageSid, pair, seedChannel, signedPost, sms, smsForm } from "../helpers/twilio";

const OWNER = "+15557770001";
const OTHER = "+15557770002";

async function messages(channelId: string) {
  return json<any[]>(api("GET", `/api/channels/${channelId}/messages`));
}

describe("inbound webhook: trust and framing", () => {
  it("answers an accepted SMS with empty TwiML", async () => {
    const { channel, account } = await seedChannel();
    const res = await sms(channel, account.token, OWNER, "hello");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it("rejects a missing or wrong signature with 403 and stores nothing", async () => {
    const { channel, account } = await seedChannel();
    const params = smsForm(channel, OWNER, "hi");
    const path = `/webhooks/twilio/sms/${channel.id}`;
    const missing = await signedPost(path, params, account.token, { signature: null });
    expect(missing.status).toBe(403);
    expect((await missing.json<any>()).error.code).toBe("invalid_signature");
    expect((await signedPost(path, params, "not-the-token")).status).toBe(403);
    // Signed for another host: the worker checks against SERVER_EXTERNAL_URL, not whatever Host it was sent to.
    expect((await signedPost(path, params, account.token, { signUrl: `https://evil.example${path}` })).status).toBe(403);
    expect(await messages(channel.id)).toEqual([]);
  });

  it("accepts the :443 form of the public URL", async () => {
    const { channel, account } = await seedChannel();
    const path = `/webhooks/twilio/sms/${channel.id}`;
    const res = await signedPost(path, smsForm(channel, OWNER, "x"), account.token, { signUrl: `https://textgate.example:443${path}` });
    expect(res.status).toBe(200);
    expect((await messages(channel.id)).map((m) => m.body)).toEqual(["x"]);
  });

  it("404s an unknown channel, 415s a non-form body, 400s a form without MessageSid", async () => {
    const { channel, account } = await seedChannel();
    await refused(signedPost("/webhooks/twilio/sms/ch_unknown", smsForm(channel, OWNER, "x"), account.token), 404, "not_found");
    await refused(fetchWorker(`/webhooks/twilio/sms/${channel.id}`, { "content-type": "application/json" }, "{}"), 415, "unsupported_media_type");
    const { MessageSid: _m, SmsSid: _s, ...noSid } = smsForm(channel, OWNER, "x");
    expect((await refused(signedPost(`/webhooks/twilio/sms/${channel.id}`, noSid, account.token), 400, "invalid_webhook")).message).toMatch(/MessageSid/);
    expect(await messages(channel.id)).toEqual([]);
  });

  it("verifies status callbacks the same way", async () => {
    const { channel, account } = await seedChannel();
    const path = `/webhooks/twilio/sms/${channel.id}/status`;
    const params = { MessageSid: messageSid(), AccountSid: account.sid, MessageStatus: "sent" };
    expect((await signedPost(path, params, "wrong")).status).toBe(403);
    expect((await signedPost(path, params, account.token)).status).toBe(200);
  });
});

async function fetchWorker(path: string, headers: Record<string, string>, body: string) {
  return call(new Request(`https://textgate.example${path}`, { method: "POST", headers, body }));
}

describe("inbound webhook: durable dedupe", () => {
  it("stores one message for concurrent and retried copies of a MessageSid", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const sid = messageSid();
    const results = await Promise.all(Array.from({ length: 8 }, () => sms(channel, account.token, OWNER, "same message", sid)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const retry = await sms(channel, account.token, OWNER, "same message", sid);
    expect(retry.status).toBe(200);
    const rows = await env.DB.prepare("SELECT * FROM messages WHERE twilio_sid = ?").bind(sid).all();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ status: "received", from_address: OWNER, body: "same message" });
    expect(rows.results[0]!.processed_at).not.toBeNull();
  });

  it("does not handle a retried message twice: a second wrong pairing code is not a second try", async () => {
    const { channel, account } = await seedChannel();
    const sid = messageSid();
    await sms(channel, account.token, OTHER, "ZZZZZZ", sid);
    expect((await sms(channel, account.token, OTHER, "ZZZZZZ", sid)).status).toBe(200);
    await sms(channel, account.token, OTHER, "YYYYYY");
    const [latest, first, ...rest] = await messages(channel.id);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ twilio_sid: sid, drop_reason: "pairing_code_wrong", meta: { tries_left: 4 } });
    expect(latest).toMatchObject({ drop_reason: "pairing_code_wrong", meta: { tries_left: 3 } });
  });

  it("redoes a handling that stopped midway: the sid was recorded but the message never reached D1", async () => {
    const { channel, account } = await seedChannel();
    const sid = messageSid();
    const stub = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    await runInDurableObject(stub, (_object, state) => {
      state.storage.sql.exec(`INSERT INTO inbox (sid, message_id, received_at) VALUES (?, 'msg_interrupted', ?)`, sid, Date.now() - 5000);
    });
    expect((await sms(channel, account.token, OTHER, "are you there?", sid)).status).toBe(200);
    const [m] = await messages(channel.id);
    // The id given at first sight is kept, so anything the first attempt referred to still matches.
    expect(m).toMatchObject({ id: "msg_interrupted", twilio_sid: sid, status: "dropped", drop_reason: "not_paired" });
  });

  it("finishes a turn whose message reached D1 but whose job never reached the Queue", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const sid = messageSid();
    const stub = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    await runInDurableObject(stub, (_object, state) => {
      state.storage.sql.exec(`INSERT INTO inbox (sid, message_id, received_at) VALUES (?, 'msg_halfway', ?)`, sid, Date.now() - 5000);
    });
    await env.DB.prepare(
      `INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, twilio_sid, turn_id, processed_at, created_at, updated_at)
       VALUES ('msg_halfway', ?, 'inbound', ?, '+15550001111', 'what time is it?', 'received', ?, 'turn_halfway', ?, ?, ?)`,
    )
      .bind(channel.id, OWNER, sid, Date.now(), Date.now() - 5000, Date.now())
      .run();
    expect((await sms(channel, account.token, OWNER, "what time is it?", sid)).status).toBe(200);
    const turn = await env.DB.prepare(`SELECT id, inbound_message_id FROM turns WHERE id = 'turn_halfway'`).first();
    expect(turn).toEqual({ id: "turn_halfway", inbound_message_id: "msg_halfway" });
    const enqueued = await runInDurableObject(stub, (_object, state) => state.storage.sql.exec<{ processed_at: number | null }>(`SELECT processed_at FROM inbox WHERE sid = ?`, sid).one());
    expect(enqueued.processed_at).not.toBeNull();
  });

  it("persists the message before acknowledging", async () => {
    const { channel, account } = await seedChannel();
    const sid = messageSid();
    await sms(channel, account.token, OTHER, "anyone there?", sid);
    const [m] = await messages(channel.id);
    expect(m).toMatchObject({ direction: "inbound", from: OTHER, to: "+15550001111", body: "anyone there?", twilio_sid: sid, status: "dropped", drop_reason: "not_paired" });
  });
});

describe("pairing", () => {
  it("pairs the phone that texts the code and connects the channel", async () => {
    const { channel, account } = await seedChannel();
    const res = await sms(channel, account.token, OWNER, `  ${channel.pairing.code.toLowerCase()} `);
    expect(res.status).toBe(200);
    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "connected", pairing: null, paired_addresses: [{ address: OWNER, paired_at: expect.any(String) }] });
    const [m] = await messages(channel.id);
    expect(m).toMatchObject({ status: "pairing", from: OWNER });
    // Further texts from the owner are received, not treated as pairing attempts.
    await sms(channel, account.token, OWNER, "hello");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "received", body: "hello" });
  });

  it("accumulates paired addresses across codes", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const second = await json(api("POST", `/api/channels/${channel.id}/pairing`));
    await sms(channel, account.token, OTHER, second.code);
    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after.status).toBe("connected");
    expect(after.paired_addresses.map((p: any) => p.address)).toEqual([OWNER, OTHER]);
  });

  it("locks a sender out after 5 wrong tries, without affecting others", async () => {
    const { channel, account } = await seedChannel();
    for (let i = 0; i < 5; i++) await sms(channel, account.token, OTHER, "ZZZZZZ");
    await sms(channel, account.token, OTHER, channel.pairing.code);
    let after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "pairing", paired_addresses: [] });
    const reasons = (await messages(channel.id)).map((m) => m.drop_reason);
    expect(reasons).toEqual(["pairing_locked", ...Array(5).fill("pairing_code_wrong")]);
    await sms(channel, account.token, OWNER, channel.pairing.code);
    after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "connected", paired_addresses: [{ address: OWNER }] });
  });

  it("a new code lifts the lockout", async () => {
    const { channel, account } = await seedChannel();
    for (let i = 0; i < 5; i++) await sms(channel, account.token, OTHER, "ZZZZZZ");
    const fresh = await json(api("POST", `/api/channels/${channel.id}/pairing`));
    await sms(channel, account.token, OTHER, fresh.code);
    expect((await json(api("GET", `/api/channels/${channel.id}`))).status).toBe("connected");
  });

  it("refuses an expired code", async () => {
    const { channel, account } = await seedChannel();
    await env.DB.prepare("UPDATE channels SET pairing_expires_at = ? WHERE id = ?").bind(Date.now() - 1, channel.id).run();
    // Drop the object's in-memory copy of the row so it reads the expired code back from D1.
    await abortAllDurableObjects();
    await sms(channel, account.token, OWNER, channel.pairing.code);
    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "pairing", pairing: null, paired_addresses: [] });
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "pairing_code_expired" });
  });

  it("drops other texts from unpaired senders with a reason", async () => {
    const { channel, account } = await seedChannel();
    await sms(channel, account.token, OTHER, "Hi, who is this?");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "not_paired" });
    expect((await json(api("GET", `/api/channels/${channel.id}`))).status).toBe("pairing");
  });

  it("removes a paired address; the last one puts the channel back into pairing", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const res = await api("DELETE", `/api/channels/${channel.id}/paired-addresses/${encodeURIComponent(OWNER)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "pairing", paired_addresses: [], pairing: { code: expect.any(String) } });
    expect((await api("DELETE", `/api/channels/${channel.id}/paired-addresses/${encodeURIComponent(OWNER)}`)).status).toBe(404);
    await sms(channel, account.token, OWNER, "still me?");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "not_paired" });
  });
});
