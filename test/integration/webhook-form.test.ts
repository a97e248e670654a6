// A signed webhook is one message, once: Twilio signs keys and values run together, so the same signature also
// covers other splits of the same bytes. Only the form Twilio really sent may pass; any other is 400, stores nothing.
import { env } from "cloudflare:workers";
import { call } from "../helpers/api";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { describe, expect, it } from "vitest";
import { settledTurns } from "../helpers/turns";
import { fakeState, messageSid, pair, seedChannel, signedPost, sms, smsForm, statusCallback } from "../helpers/twilio";
import { expectRuntimeLog } from "../helpers/runtime-logs";

const OWNER = "+15557770001";

async function counts(channelId: string) {
  const q = (sql: string) => env.DB.prepare(sql).bind(channelId).first<{ n: number }>();
  const [inbound, turns] = await Promise.all([
    q("SELECT count(*) AS n FROM messages WHERE channel_id = ? AND direction = 'inbound'"),
    q("SELECT count(*) AS n FROM turns WHERE channel_id = ?"),
  ]);
  return { inbound: inbound!.n, turns: turns!.n };
}

async function rejected(res: Response, field: RegExp) {
  expect(res.status).toBe(400);
  const body = await res.json<any>();
  expect(body.error.code).toBe("invalid_webhook");
  expect(body.error.message).toMatch(field);
}

describe("inbound webhook: one strict form", () => {
  it("rejects re-split copies of a captured webhook: same signature, but 400 and no row, turn or SMS", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const sid = messageSid();
    const form = smsForm(channel, OWNER, "what is on today?", sid);
    const path = `/webhooks/twilio/sms/${channel.id}`;
    expect((await signedPost(path, form, account.token)).status).toBe(200);
    await settledTurns(channel.id);
    const before = await counts(channel.id);
    const sent = (await fakeState(account.sid)).messages.length;
    const { NumMedia: _m, NumSegments: _s, SmsSid: _x, ...rest } = form;
    const splits = [
      { ...rest, SmsSid: sid, NumSegments: "1", MessageSid: `${sid}NumMedia0` },
      { ...rest, SmsSid: sid, MessageSid: `${sid}NumMedia0NumSegments1` },
      { ...rest, MessageSid: `${sid}NumMedia0NumSegments1SmsSid${sid}` },
    ];
    const url = `${env.SERVER_EXTERNAL_URL}${path}`;
    for (const split of splits) {
      // The attack needs no key: each split signs to the very signature Twilio sent.
      expect(getExpectedTwilioSignature(account.token, url, split)).toBe(getExpectedTwilioSignature(account.token, url, form));
      await rejected(await signedPost(path, split, account.token), /MessageSid/);
    }
    expect(await counts(channel.id)).toEqual(before);
    expect((await fakeState(account.sid)).messages).toHaveLength(sent);
  });

  it.each([
    ["another account's AccountSid", { AccountSid: `AC${"e".repeat(32)}` }, /AccountSid/],
    ["a To that is not the channel's number", { To: "+15550009999" }, /To/],
    ["NumMedia that counts media not present", { NumMedia: "1" }, /NumMedia|MediaUrl0/],
    ["a MediaUrl beyond NumMedia", { MediaUrl0: "https://api.twilio.com/m/1", MediaContentType0: "image/png" }, /MediaUrl0/],
    ["a non-numeric NumMedia", { NumMedia: "0x" }, /NumMedia/],
    ["a non-numeric NumSegments", { NumSegments: "1e3" }, /NumSegments/],
    ["MessageSid and SmsSid that differ", { SmsSid: messageSid() }, /SmsSid/],
    ["an upper-case SID", { MessageSid: `SM${"A".repeat(32)}`, SmsSid: `SM${"A".repeat(32)}` }, /MessageSid/],
    ["a From that is no address", { From: "+1 (555) 777-0001; DROP" }, /From/],
    ["a Body over Twilio's 1600 characters", { Body: "x".repeat(1601) }, /Body/],
    ["an unknown field of 8 KB", { FromCity: "x".repeat(8192) }, /FromCity/],
  ])("rejects %s with 400 and stores nothing", async (_what, change, field) => {
    const { channel, account } = await seedChannel();
    const res = await signedPost(`/webhooks/twilio/sms/${channel.id}`, { ...smsForm(channel, OWNER, "hello"), ...change }, account.token);
    await rejected(res, field);
    expect(await counts(channel.id)).toEqual({ inbound: 0, turns: 0 });
  });

  it("rejects a repeated key (signed the way Twilio signs repeats) with 400", async () => {
    const { channel, account } = await seedChannel();
    const form = { ...smsForm(channel, OWNER, "hello"), Body: ["hello", "second body"] };
    await rejected(await signedPost(`/webhooks/twilio/sms/${channel.id}`, form, account.token), /Body/);
    expect(await counts(channel.id)).toEqual({ inbound: 0, turns: 0 });
  });

  it("accepts what Twilio sends: media with their types, SmsMessageSid, and its other fields", async () => {
    const { channel, account } = await seedChannel();
    const sid = messageSid();
    const form = {
      ...smsForm(channel, OWNER, "", sid),
      SmsMessageSid: sid,
      SmsStatus: "received",
      NumMedia: "2",
      // On the local emulator (TWILIO_API_BASE), so the download that follows asks no real host.
      MediaUrl0: `${env.TWILIO_API_BASE}/2010-04-01/Accounts/${account.sid}/Messages/${sid}/Media/ME${"1".repeat(32)}`,
      MediaContentType0: "image/jpeg",
      MediaUrl1: `${env.TWILIO_API_BASE}/2010-04-01/Accounts/${account.sid}/Messages/${sid}/Media/ME${"2".repeat(32)}`,
      MediaContentType1: "video/mp4",
      FromCity: "SAN FRANCISCO",
      ToCountry: "US",
    };
    expect((await signedPost(`/webhooks/twilio/sms/${channel.id}`, form, account.token)).status).toBe(200);
    const row = await env.DB.prepare("SELECT twilio_sid, meta FROM messages WHERE channel_id = ?").bind(channel.id).first<{ twilio_sid: string; meta: string }>();
    expect(row!.twilio_sid).toBe(sid);
    expect(JSON.parse(row!.meta)).toMatchObject({ num_media: 2 });
  });

  it("accepts a Body of exactly Twilio's 1600 characters, and stores all of it", async () => {
    const { channel, account } = await seedChannel();
    expect((await sms(channel, account.token, OWNER, "x".repeat(1600))).status).toBe(200);
    const row = await env.DB.prepare("SELECT body FROM messages WHERE channel_id = ? AND direction = 'inbound'").bind(channel.id).first<{ body: string }>();
    expect(row!.body).toBe("x".repeat(1600));
  });
});

describe("status callback: one strict form", () => {
  it.each([
    ["another account's AccountSid", { AccountSid: `AC${"e".repeat(32)}` }, /AccountSid/],
    ["a status Twilio does not have", { MessageStatus: "delivered-ish", SmsStatus: "delivered-ish" }, /MessageStatus/],
    ["a re-split MessageSid", { MessageSid: `SM${"a".repeat(32)}MessageStatusdelivered`, SmsSid: `SM${"a".repeat(32)}MessageStatusdelivered` }, /MessageSid/],
    ["a non-numeric ErrorCode", { ErrorCode: "30003; x" }, /ErrorCode/],
    ["a repeated MessageStatus", { MessageStatus: ["sent", "delivered"] }, /MessageStatus/],
  ])("rejects %s with 400", async (_what, change, field) => {
    const { channel, account } = await seedChannel();
    const sid = `SM${"a".repeat(32)}`;
    const form = { MessageSid: sid, SmsSid: sid, AccountSid: channel.config.account_sid, MessageStatus: "delivered", SmsStatus: "delivered", ApiVersion: "2010-04-01", ...change };
    await rejected(await signedPost(`/webhooks/twilio/sms/${channel.id}/status`, form, account.token), field);
  });

  it("accepts Twilio's callback, and applies its status and error code to the reply", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    await sms(channel, account.token, OWNER, "hello");
    await settledTurns(channel.id);
    const [sent] = (await fakeState(account.sid)).messages;
    expect((await statusCallback(channel, account.token, sent!.sid, "undelivered", "30003")).status).toBe(200);
    const row = await env.DB.prepare("SELECT status, error_code FROM messages WHERE twilio_sid = ?").bind(sent!.sid).first();
    expect(row).toEqual({ status: "undelivered", error_code: "30003" });
  });
});

describe("webhook bodies without a length", () => {
  it("stops reading a huge streamed body at the limit and answers 413, for the SMS and the status URL", async () => {
    const { channel } = await seedChannel();
    for (const suffix of ["", "/status"]) {
      // 8 MiB in 16 KiB chunks, with no Content-Length: only counting while reading can refuse it early.
      let pulled = 0;
      const chunk = new TextEncoder().encode("Body=" + "a".repeat(16 * 1024 - 5));
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 8 * 1024 * 1024) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const req = new Request(`https://textgate.example/webhooks/twilio/sms/${channel.id}${suffix}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "AAAA" },
        body: endless,
      });
      // workerd logs the request body it was still sending when the app stopped reading ("read end of pipe was aborted").
      await expectRuntimeLog("aborted_body");
      const res = await call(req);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
      // Read no further than the limit and the chunk that crossed it (and what the stream had queued).
      expect(pulled).toBeLessThan(256 * 1024);
    }
  });
});
