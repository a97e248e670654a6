import { describe, expect, it } from "vitest";
import { externalUrl, maxTurnsPerSenderPerHour, required, twilioApiBase, twilioDefaults, twilioMessagingApiBase } from "../../src/lib/config";

const env = (vars: Record<string, string>) => vars as unknown as Env;

describe("SERVER_EXTERNAL_URL", () => {
  it("accepts https anywhere and http only for localhost", () => {
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "https://textgate.example/" }))).toEqual({ ok: true, url: "https://textgate.example" });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "https://example.com/base/" }))).toEqual({ ok: true, url: "https://example.com/base" });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "http://localhost:8787" }))).toEqual({ ok: true, url: "http://localhost:8787" });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "http://127.0.0.1:9000" }))).toMatchObject({ ok: true });
  });

  it("says why it cannot be used", () => {
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "" }))).toEqual({ ok: false, reason: expect.stringContaining("not set") });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "http://textgate.example" }))).toEqual({ ok: false, reason: expect.stringContaining("https") });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "not a url" }))).toEqual({ ok: false, reason: expect.stringContaining("not a valid URL") });
    expect(externalUrl(env({ SERVER_EXTERNAL_URL: "https://x.example/?a=1" }))).toEqual({ ok: false, reason: expect.stringContaining("query") });
  });
});

describe("other settings", () => {
  it("names a missing secret", () => {
    expect(() => required(env({ ADMIN_TOKEN: " " }), "ADMIN_TOKEN")).toThrow(/ADMIN_TOKEN is not set/);
    expect(required(env({ ENCRYPTION_KEY: "k" }), "ENCRYPTION_KEY")).toBe("k");
  });

  it("defaults the Twilio base URL and trims the defaults", () => {
    expect(twilioApiBase(env({}))).toBe("https://api.twilio.com");
    expect(twilioApiBase(env({ TWILIO_API_BASE: "http://127.0.0.1:1/" }))).toBe("http://127.0.0.1:1");
    expect(twilioDefaults(env({ VOICE_TWILIO_ACCOUNT_SID: " AC1 ", VOICE_TWILIO_FROM_NUMBER: "" }))).toEqual({ account_sid: "AC1", auth_token: undefined, from_number: undefined });
  });

  it("defaults the Messaging API base URL", () => {
    expect(twilioMessagingApiBase(env({}))).toBe("https://messaging.twilio.com");
    expect(twilioMessagingApiBase(env({ TWILIO_MESSAGING_API_BASE: "http://127.0.0.1:1/" }))).toBe("http://127.0.0.1:1");
  });

  it("reads MAX_TURNS_PER_SENDER_PER_HOUR as a positive whole number, 30 otherwise", () => {
    expect(maxTurnsPerSenderPerHour(env({}))).toBe(30);
    expect(maxTurnsPerSenderPerHour(env({ MAX_TURNS_PER_SENDER_PER_HOUR: "5" }))).toBe(5);
    for (const bad of ["0", "-3", "2.5", "many", " "]) expect(maxTurnsPerSenderPerHour(env({ MAX_TURNS_PER_SENDER_PER_HOUR: bad }))).toBe(30);
  });
});
