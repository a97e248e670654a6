// The strict webhook forms at their edges; the integration tests show the same rules end to end.
import { describe, expect, it } from "vitest";
import { MAX_BODY_CHARS, parseInboundForm, parseStatusForm } from "../../../src/domain/twilio/webhook-form";

const SID = `MM${"0123456789abcdef".repeat(2)}`;
const base = { MessageSid: SID, SmsSid: SID, AccountSid: `AC${"a".repeat(32)}`, From: "+15557770001", To: "+15550001111", Body: "hi", NumMedia: "0" };

const failure = (r: ReturnType<typeof parseInboundForm> | ReturnType<typeof parseStatusForm>) => (r.ok ? null : r.field);

describe("inbound form", () => {
  it("takes an MMS SID and returns the fields we use", () => {
    expect(parseInboundForm(base)).toEqual({ ok: true, form: { sid: SID, accountSid: base.AccountSid, from: base.From, to: base.To, body: "hi", numMedia: 0, messagingServiceSid: null, media: [] } });
  });

  it("returns the Messaging Service of a number in one", () => {
    const service = `MG${"0123456789abcdef".repeat(2)}`;
    expect(parseInboundForm({ ...base, MessagingServiceSid: service })).toMatchObject({ ok: true, form: { messagingServiceSid: service } });
  });

  it("returns the media in order, and takes plain http media URLs only from a local emulator", () => {
    const mms = { ...base, NumMedia: "2", MediaUrl1: "https://api.twilio.com/b", MediaContentType1: "image/gif", MediaUrl0: "https://api.twilio.com/a", MediaContentType0: "image/png" };
    expect(parseInboundForm(mms)).toMatchObject({ ok: true, form: { numMedia: 2, media: [{ url: "https://api.twilio.com/a", contentType: "image/png" }, { url: "https://api.twilio.com/b", contentType: "image/gif" }] } });
    const local = { ...base, NumMedia: "1", MediaUrl0: "http://127.0.0.1:9999/2010-04-01/x", MediaContentType0: "image/png" };
    expect(parseInboundForm(local).ok).toBe(true);
    expect(parseInboundForm({ ...local, MediaUrl0: "http://localhost:8788/x" }).ok).toBe(true);
    for (const url of ["http://10.0.0.1/x", "http://127.0.0.1.evil.example/x", "http://api.twilio.com/x", "ftp://127.0.0.1/x"]) {
      expect(failure(parseInboundForm({ ...local, MediaUrl0: url })), url).toBe("MediaUrl0");
    }
  });

  it("takes the inbound form the local emulator sends (emulator/twilio.ts)", () => {
    const sent = { ToCountry: "US", SmsMessageSid: SID, NumMedia: "0", SmsSid: SID, SmsStatus: "received", Body: "hi", To: base.To, NumSegments: "1", MessageSid: SID, AccountSid: base.AccountSid, From: base.From, ApiVersion: "2010-04-01" };
    expect(parseInboundForm(sent).ok).toBe(true);
  });

  it("counts Body in characters, as Twilio does, not UTF-16 units", () => {
    expect(parseInboundForm({ ...base, Body: "🎉".repeat(MAX_BODY_CHARS) }).ok).toBe(true);
    expect(failure(parseInboundForm({ ...base, Body: "🎉".repeat(MAX_BODY_CHARS + 1) }))).toBe("Body");
  });

  it.each([
    ["a missing SID", { MessageSid: undefined, SmsSid: undefined }, "MessageSid"],
    ["an SmsMessageSid that differs", { SmsMessageSid: `SM${"f".repeat(32)}` }, "SmsMessageSid"],
    ["a 33-digit SID", { MessageSid: `${SID}0`, SmsSid: `${SID}0` }, "MessageSid"],
    ["a missing To", { To: undefined }, "To"],
    ["a missing Body", { Body: undefined }, "Body"],
    ["a missing NumMedia", { NumMedia: undefined }, "NumMedia"],
    ["NumMedia with a leading zero", { NumMedia: "01" }, "NumMedia"],
    ["NumMedia above 10", { NumMedia: "11" }, "NumMedia"],
    ["a media URL without its type", { NumMedia: "1", MediaUrl0: "https://api.twilio.com/m" }, "MediaContentType0"],
    ["a media URL that is not https", { NumMedia: "1", MediaUrl0: "http://api.twilio.com/m", MediaContentType0: "image/png" }, "MediaUrl0"],
    ["a non-canonical media index", { NumMedia: "1", MediaUrl0: "https://a/m", MediaContentType0: "image/png", MediaUrl00: "https://a/n" }, "MediaUrl00"],
    ["an ApiVersion that swallowed the Body", { Body: undefined, ApiVersion: "2010-04-01Bodyhi" }, "Body"],
    ["a MessagingServiceSid that is not MG and 32 hex digits", { MessagingServiceSid: `MG${"a".repeat(31)}` }, "MessagingServiceSid"],
  ])("refuses %s", (_what, change, field) => {
    const form = Object.fromEntries(Object.entries({ ...base, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(failure(parseInboundForm(form))).toBe(field);
  });

  it("refuses more than 100 fields and overlong field names", () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`Extra${i}`, "x"]));
    expect(parseInboundForm({ ...base, ...many })).toEqual({ ok: false, field: "form", message: "form: has more than 100 fields" });
    expect(parseInboundForm({ ...base, ["K".repeat(65)]: "x" })).toEqual({ ok: false, field: "form", message: "form: a field name is longer than 64 characters" });
  });

  it("refuses a repeated key (a second value the signature covers too), naming it", () => {
    expect(parseInboundForm({ ...base, Body: ["hi", "a second body"] })).toEqual({ ok: false, field: "Body", message: "Body: appears more than once" });
  });
});

describe("status form", () => {
  const status = { MessageSid: SID, AccountSid: base.AccountSid, MessageStatus: "partially_delivered" };

  it("takes every Twilio status and an error code", () => {
    expect(parseStatusForm({ ...status, ErrorCode: "30003" })).toEqual({ ok: true, form: { sid: SID, accountSid: base.AccountSid, status: "partially_delivered", errorCode: "30003" } });
    expect(parseStatusForm({ MessageSid: SID, AccountSid: base.AccountSid, SmsStatus: "canceled" }).ok).toBe(true);
  });

  it("takes the status callback the local emulator sends (emulator/twilio.ts)", () => {
    const sent = { MessageSid: SID, SmsSid: SID, AccountSid: base.AccountSid, From: "+15550001111", To: "+15557770001", MessageStatus: "sent", SmsStatus: "sent", ApiVersion: "2010-04-01" };
    expect(parseStatusForm(sent).ok).toBe(true);
  });

  it.each([
    ["no status", { MessageStatus: undefined }, "MessageStatus"],
    ["SmsStatus that disagrees", { SmsStatus: "failed" }, "SmsStatus"],
    ["an empty ErrorCode", { ErrorCode: "" }, "ErrorCode"],
    ["a missing AccountSid", { AccountSid: undefined }, "AccountSid"],
  ])("refuses %s", (_what, change, field) => {
    const form = Object.fromEntries(Object.entries({ ...status, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(failure(parseStatusForm(form))).toBe(field);
  });
});
