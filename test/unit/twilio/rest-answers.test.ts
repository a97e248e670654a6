// Twilio's answers are parsed, not cast: an answer of the wrong shape (the emulator's fault injection sends one) is
// an `unexpected` failure naming what was wrong, never a TypeError deep in the caller.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TwilioClient } from "../../../src/domain/twilio/rest";
import { describeFailure } from "../../../src/domain/twilio/registration";
import { fakeAccount, injectFault } from "../../helpers/twilio";

async function client() {
  const account = await fakeAccount();
  return { account, twilio: new TwilioClient({ baseUrl: env.TWILIO_API_BASE, accountSid: account.sid, authToken: account.token }) };
}

describe("Twilio answers of the wrong shape", () => {
  it.each([
    ["a list that is not a list", '{"incoming_phone_numbers":"none"}', /incoming_phone_numbers/],
    ["a number without its capabilities", '{"incoming_phone_numbers":[{"sid":"PN1","phone_number":"+15550001111","sms_url":""}]}', /capabilities/],
    ["a body that is not JSON", "<html>gateway</html>", /not JSON/],
  ])("finding a number: %s is an unexpected answer", async (_what, body, names) => {
    const { account, twilio } = await client();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", body });
    const res = await twilio.findIncomingNumber("+15550001111");
    expect(res).toMatchObject({ ok: false, error: { kind: "unexpected", status: 200, message: expect.stringMatching(names) } });
    if (!res.ok) expect(describeFailure(res.error, account.sid)).toMatchObject({ code: "twilio_error", message: expect.stringContaining("Twilio answered") });
  });

  it("sending: a created message without a sid is unexpected (the ledger reconciles it like any unanswered send)", async () => {
    const { account, twilio } = await client();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 201, body: '{"status":"queued"}' });
    const res = await twilio.sendMessage({ To: "+15557770001", From: "+15550001111", Body: "hi" });
    expect(res).toMatchObject({ ok: false, error: { kind: "unexpected", status: 201, message: expect.stringMatching(/sid/) } });
  });

  it("reading a number by SID and listing messages parse too", async () => {
    const { account, twilio } = await client();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers/", body: '{"sid":7}' });
    expect(await twilio.getIncomingNumber(`PN${"0".repeat(32)}`)).toMatchObject({ ok: false, error: { kind: "unexpected" } });
    await injectFault(account.sid, { match: "Messages.json", method: "GET", body: '{"messages":[{"sid":"SM1"}]}' });
    expect(await twilio.listRecentMessages({ To: "+15557770001", From: "+15550001111", createdSince: 0 })).toMatchObject({ ok: false, error: { kind: "unexpected" } });
  });
});
