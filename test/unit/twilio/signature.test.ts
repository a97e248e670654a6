// Our WebCrypto verifier against twilio-node's reference signer.
import { getExpectedTwilioSignature, validateRequest } from "twilio/lib/webhooks/webhooks";
import { describe, expect, it } from "vitest";
import { computeSignature, parseForm, urlVariants, validateTwilioSignature } from "../../../src/domain/twilio/signature";

const token = "12345678901234567890123456789012";
const params = { MessageSid: "SM123", From: "+15551234567", To: "+15557654321", Body: "Hello & welcome ünïcode 🎉" };

describe("Twilio signature", () => {
  it("computes what twilio-node computes", async () => {
    const url = "https://textgate.example/webhooks/twilio/sms/ch_1";
    expect(await computeSignature(token, url, params)).toBe(getExpectedTwilioSignature(token, url, params));
  });

  it("accepts a valid signature and rejects tampering", async () => {
    const url = "https://textgate.example/webhooks/twilio/sms/ch_1";
    const sig = getExpectedTwilioSignature(token, url, params);
    expect(await validateTwilioSignature(token, sig, url, params)).toBe(true);
    expect(await validateTwilioSignature(token, sig, url, { ...params, Body: "Hello" })).toBe(false);
    expect(await validateTwilioSignature(token, sig, url + "x", params)).toBe(false);
    expect(await validateTwilioSignature("another-token", sig, url, params)).toBe(false);
    expect(await validateTwilioSignature(token, "", url, params)).toBe(false);
    expect(await validateTwilioSignature(token, null, url, params)).toBe(false);
  });

  it("accepts the default-port variants twilio-node accepts", async () => {
    const plain = "https://textgate.example/webhooks/twilio/sms/ch_1";
    const withPort = "https://textgate.example:443/webhooks/twilio/sms/ch_1";
    const sigWithPort = getExpectedTwilioSignature(token, withPort, params);
    expect(validateRequest(token, sigWithPort, plain, params)).toBe(true);
    expect(await validateTwilioSignature(token, sigWithPort, plain, params)).toBe(true);
    const sigPlain = getExpectedTwilioSignature(token, plain, params);
    expect(await validateTwilioSignature(token, sigPlain, withPort, params)).toBe(true);
    expect(urlVariants("http://localhost:8787/x")).toEqual(["http://localhost/x", "http://localhost:8787/x"]);
  });

  it("signs repeated keys like twilio-node (sorted, deduplicated values)", async () => {
    const url = "https://textgate.example/hook";
    const form = parseForm("B=2&A=x&A=a&A=x");
    expect(form).toEqual({ B: "2", A: ["x", "a", "x"] });
    expect(await computeSignature(token, url, form)).toBe(getExpectedTwilioSignature(token, url, { B: "2", A: ["x", "a", "x"] } as any));
  });
});
