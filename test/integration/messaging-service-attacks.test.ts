// Red-team tests for replies through a Messaging Service (issue 14 §5). Reconciliation cannot filter by From (the
// sender is whichever pool number Twilio picked), so it must not adopt a message another channel of the same
// account sent through the same service; status callbacks from a pool number still apply; the service changed by
// PATCH while a reply is undecided is still reconciled against the service the reply went through; and a text to
// a pool number that the service posts to this channel's webhook is taken, not refused.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, seedAgent } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { outbound, settledTurns } from "../helpers/turns";
import { fakeAccount, fakeService, fakeState, injectFault, pair, sms, type FakeAccount } from "../helpers/twilio";

const OWNER = "+15557770091";
const A_NUMBER = "+15550009101";
const B_NUMBER = "+15550009102";
const POOL_NUMBER = "+15550009103";

/** A channel on `account`'s `number` sending through `service`, whose agent answers from the fake model. */
async function serviceChannel(account: FakeAccount, number: string, service: string | null) {
  const { space, agent } = await seedAgent();
  await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", agent.id).run();
  const res = await api("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    config: { account_sid: account.sid, auth_token: account.token, from_number: number, messaging_service_sid: service },
  });
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
