// Twilio's error codes on a failed reply, explained on the message (API and settings UI), whichever way the code
// arrives: in Twilio's answer to the send (the emulator refuses Twilio's magic numbers as Twilio does), or in a
// status callback's ErrorCode when the message later fails or is undelivered.
import { describe, expect, it } from "vitest";
import { api, json, uiPage } from "../helpers/api";
import { outbound, settledTurns } from "../helpers/turns";
import { fakeState, pair, seedChannel, sms, statusCallback } from "../helpers/twilio";

const OWNER = "+15557770041";
/** Twilio's magic number for a recipient who texted STOP: a send to it is refused with 21610. */
const UNSUBSCRIBED = "+15005550004";

const messagesPart = (channelId: string) => uiPage(`/settings/channels/${channelId}/parts/messages`);

describe("a reply Twilio refuses", () => {
  it("carries Twilio's code, its words, what it means and what to do", async () => {
    const { account, channel } = await seedChannel();
    await pair(channel, account.token, UNSUBSCRIBED);
    await sms(channel, account.token, UNSUBSCRIBED, "hello");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "failed", error: expect.stringContaining("21610") });
    const posts = (await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");
    expect(posts.map((p) => p.form.To)).toEqual([UNSUBSCRIBED]);

    const [reply] = await outbound(channel.id);
    expect(reply).toMatchObject({ status: "failed", error_code: "21610", error_message: "Attempt to send to unsubscribed recipient" });
    expect(reply.error).toEqual({
      code: "21610",
      message: "Attempt to send to unsubscribed recipient",
      explanation: expect.stringContaining("texted STOP"),
      hint: expect.stringContaining("START"),
      more_info: "https://www.twilio.com/docs/errors/21610",
    });

    const html = await messagesPart(channel.id);
    expect(html).toContain('data-error-code="21610"');
    expect(html).toContain("Twilio error 21610: Attempt to send to unsubscribed recipient");
    expect(html).toContain(reply.error.explanation);
    expect(html).toContain('href="https://www.twilio.com/docs/errors/21610"');
  });
});

/** A channel whose reply to OWNER Twilio accepted (queued, no error yet). */
async function sentReply() {
  const { account, channel } = await seedChannel();
  await pair(channel, account.token, OWNER);
  await sms(channel, account.token, OWNER, "hello");
  await settledTurns(channel.id);
  const [sent] = await outbound(channel.id);
  expect(sent.error).toBeNull();
  return { account, channel, sent };
}

describe("a reply that fails after Twilio accepted it", () => {
  it("explains the ErrorCode of an undelivered status callback (A2P 10DLC)", async () => {
    const { account, channel, sent } = await sentReply();

    expect((await statusCallback(channel, account.token, sent.twilio_sid, "undelivered", "30034")).status).toBe(200);
    const [reply] = await outbound(channel.id);
    expect(reply).toMatchObject({ status: "undelivered", error_code: "30034" });
    expect(reply.error).toEqual({
      code: "30034",
      message: "US A2P 10DLC - Message from an Unregistered Number",
      explanation: expect.stringContaining("A2P 10DLC"),
      hint: expect.stringContaining("messaging_service_sid"),
      more_info: "https://www.twilio.com/docs/errors/30034",
    });
    // A late "sent" neither moves the status down nor clears the error.
    await statusCallback(channel, account.token, sent.twilio_sid, "sent");
    expect((await outbound(channel.id))[0]).toMatchObject({ status: "undelivered", error: { code: "30034" } });
    const html = await messagesPart(channel.id);
    expect(html).toContain('data-error-code="30034"');
    expect(html).toContain("Register a brand and campaign");
  });

  it("links a code it has no words for to Twilio's page", async () => {
    const { account, channel, sent } = await sentReply();
    await statusCallback(channel, account.token, sent.twilio_sid, "failed", "30999");
    const [reply] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(reply.error).toMatchObject({ code: "30999", more_info: "https://www.twilio.com/docs/errors/30999" });
  });
});
