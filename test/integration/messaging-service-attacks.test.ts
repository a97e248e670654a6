// Red-team tests for replies through a Messaging Service (issue 14 §5). Reconciliation cannot filter by From (the
// sender is whichever pool number Twilio picked), so it must not adopt a message another channel of the same
// account sent through the same service; status callbacks from a pool number still apply; the service changed by
// PATCH while a reply is undecided is still reconciled against the service the reply went through; and a text to
// a pool number that the service posts to this channel's webhook is taken, not refused.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json, seedAgent } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { outbound, settledTurns } from "../helpers/turns";
import { changeServiceElsewhere, createChannel, fakeAccount, fakeService, fakeState, injectFault, pair, signedPost, sms, smsForm, statusCallback, type FakeAccount } from "../helpers/twilio";

const OWNER = "+15557770091";
const A_NUMBER = "+15550009101";
const B_NUMBER = "+15550009102";
const POOL_NUMBER = "+15550009103";

/** A channel on `account`'s `number` sending through `service`, whose agent answers from the fake model. */
async function serviceChannel(account: FakeAccount, number: string, service: string | null) {
  const on = await seedAgent();
  await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", on.agent.id).run();
  const res = await createChannel(account, number, on, { messaging_service_sid: service });
  expect(res.status).toBe(201);
  const channel = await res.json<any>();
  expect(channel.status).toBe("pairing");
  await pair(channel, account.token, OWNER);
  return channel;
}

/** The channel's agent answers `text` to the next message; returns what to text it. */
async function answers(text: string) {
  const script = await scriptFake([{ text }]);
  return `confirm? ${script.marker}`;
}

/** A text to `number` as Twilio posts it to the channel's webhook: a number in a service names it (MessagingServiceSid). */
function textPool(channel: any, token: string, number: string, body: string, service: string | null) {
  return signedPost(`/webhooks/twilio/sms/${channel.id}`, { ...smsForm(channel, OWNER, body), To: number, ...(service ? { MessagingServiceSid: service } : {}) }, token);
}

const toOwner = async (sid: string) => (await fakeState(sid)).messages.filter((m) => m.to === OWNER);

describe("two channels of one account sending through one Messaging Service", () => {
  it("an undecided reply is not reconciled onto the other channel's identical reply: it is sent", async () => {
    const account = await fakeAccount([{ phone_number: A_NUMBER }, { phone_number: B_NUMBER }, { phone_number: POOL_NUMBER }]);
    const svc = await fakeService(account.sid, { numbers: [POOL_NUMBER] });
    const a = await serviceChannel(account, A_NUMBER, svc.sid);
    const b = await serviceChannel(account, B_NUMBER, svc.sid);

    // Channel B answers the owner "OK" through the service.
    await sms(b, account.token, OWNER, await answers("OK"));
    await settledTurns(b.id);
    const [fromB] = await toOwner(account.sid);
    expect(fromB).toMatchObject({ body: "OK", from: POOL_NUMBER, messaging_service_sid: svc.sid });

    // Channel A's identical answer is lost on the way to Twilio (nothing created): the retry must send it.
    await injectFault(account.sid, { match: "Messages.json", method: "POST", drop: true });
    await sms(a, account.token, OWNER, await answers("OK"));
    const [turn] = await settledTurns(a.id);
    expect(turn.status).toBe("completed");
    const sent = await toOwner(account.sid);
    expect(sent.map((m) => m.body)).toEqual(["OK", "OK"]);
    const [replyA] = await outbound(a.id);
    expect(replyA.twilio_sid).toBe(sent[1]!.sid);
    expect(replyA.twilio_sid).not.toBe(fromB!.sid);
  });
});

describe("a service whose Sender Pool has several numbers", () => {
  it("a text to a pool number that the service posts to this channel's webhook is taken (Twilio names the service); the reply goes out through it", async () => {
    const account = await fakeAccount([{ phone_number: A_NUMBER }, { phone_number: POOL_NUMBER }]);
    const svc = await fakeService(account.sid, { numbers: [A_NUMBER, POOL_NUMBER] });
    const a = await serviceChannel(account, A_NUMBER, svc.sid);
    // The owner chooses "Send a webhook" with the channel's URL: the diagnostic says texts to its numbers come here.
    await changeServiceElsewhere(account.sid, svc.sid, { use_inbound_webhook_on_number: false, inbound_request_url: a.webhook_url, inbound_method: "POST" });

    const text = await answers("got it");
    const res = await textPool(a, account.token, POOL_NUMBER, text, svc.sid);
    expect(res.status, await res.clone().text()).toBe(200);
    const [turn] = await settledTurns(a.id);
    expect(turn.status).toBe("completed");
    const inbound = (await json<any[]>(api("GET", `/api/channels/${a.id}/messages`))).find((m) => m.body === text);
    expect(inbound).toMatchObject({ direction: "inbound", to: POOL_NUMBER, status: "received" });
    const [reply] = await outbound(a.id);
    expect(reply).toMatchObject({ body: "got it", to: OWNER });
  });

  it("a text to a number outside the channel's service is still refused", async () => {
    const account = await fakeAccount([{ phone_number: A_NUMBER }, { phone_number: B_NUMBER }, { phone_number: POOL_NUMBER }]);
    const mine = await fakeService(account.sid, { numbers: [A_NUMBER] });
    const other = await fakeService(account.sid, { numbers: [POOL_NUMBER] });
    const a = await serviceChannel(account, A_NUMBER, mine.sid);
    const refused = await textPool(a, account.token, POOL_NUMBER, "hello", other.sid);
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error).toMatchObject({ code: "invalid_webhook", details: { field: "To" } });
    // A number in no service whose SmsUrl points here, too (a number the channel had before a PATCH, say).
    expect((await textPool(a, account.token, B_NUMBER, "hello", null)).status).toBe(400);
  });
});

describe("status callbacks for a reply sent from a pool number", () => {
  it("apply, though their From is not the channel's number", async () => {
    const account = await fakeAccount([{ phone_number: A_NUMBER }, { phone_number: POOL_NUMBER }]);
    const svc = await fakeService(account.sid, { numbers: [POOL_NUMBER] });
    const a = await serviceChannel(account, A_NUMBER, svc.sid);
    await sms(a, account.token, OWNER, await answers("fine"));
    await settledTurns(a.id);
    const [reply] = await outbound(a.id);
    expect(reply.from).toBe(POOL_NUMBER);
    const res = await statusCallback(a, account.token, reply.twilio_sid, "delivered", undefined, { From: POOL_NUMBER, To: OWNER, MessagingServiceSid: svc.sid });
    expect(res.status).toBe(200);
    expect((await outbound(a.id))[0].status).toBe("delivered");
  });
});

describe("the emulator's inbound texts to a number in a Messaging Service", () => {
  it("go where the service says: its inbound URL, nowhere when it has none and does not defer, else the number's SmsUrl", async () => {
    const account = await fakeAccount([{ phone_number: A_NUMBER }]);
    const svc = await fakeService(account.sid, { numbers: [A_NUMBER], use_inbound_webhook_on_number: false, inbound_request_url: null });
    const text = async (body: string) => (await fetch(`${env.TWILIO_API_BASE}/__fake/accounts/${account.sid}/inbound`, { method: "POST", body: JSON.stringify({ from: OWNER, to: A_NUMBER, body }) })).json<any>();
    expect(await text("a")).toMatchObject({ status: 0, body: expect.stringContaining("Twilio drops the text") });
    // The service's URL here is one of the emulator's own control routes, which refuses a form (400): the text went there.
    await changeServiceElsewhere(account.sid, svc.sid, { inbound_request_url: `${env.TWILIO_API_BASE}/__fake/accounts` });
    expect(await text("b")).toMatchObject({ status: 400, body: expect.stringContaining("control routes take a JSON body") });
    await changeServiceElsewhere(account.sid, svc.sid, { use_inbound_webhook_on_number: true });
    expect(await text("c")).toMatchObject({ status: 0, body: expect.stringContaining("no SmsUrl") });
  });
});
