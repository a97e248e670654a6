// Cedar policies deciding who the agent receives, through the API and on real inbound SMS.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { outbound, settledTurns } from "../helpers/turns";
import { fakeState, pair, seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const PARTNER_POLICY = `permit(
  principal == Policy::Agent::"assistant",
  action == Policy::Action::"receive_message",
  resource in Policy::Channel::"sms"
) when { resource.sender.address == "+15559876543" };`;

const SHORTCODE_FORBID = `forbid(
  principal,
  action == Policy::Action::"receive_message",
  resource
) when { resource.sender.address == "22000" };`;

const OWNER = "+15557770001";

async function messages(channelId: string) {
  return json<any[]>(api("GET", `/api/channels/${channelId}/messages`));
}

describe("policies API", () => {
  it("starts empty, saves valid text as a new version and returns it", async () => {
    expect(await json(api("GET", "/api/policies"))).toEqual({ text: "", version: 0, updated_at: null });
    const saved = await api("PUT", "/api/policies", `${PARTNER_POLICY}\n\n${SHORTCODE_FORBID}`, { "content-type": "text/plain" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ version: 1, policies: 2 });
    const again = await json(api("PUT", "/api/policies", { text: PARTNER_POLICY }));
    expect(again).toMatchObject({ version: 2, text: PARTNER_POLICY });
    expect(await json(api("GET", "/api/policies"))).toMatchObject({ version: 2, text: PARTNER_POLICY });
  });

  it("rejects invalid text with Cedar's messages and line/column, saving nothing", async () => {
    const bad = `permit(\n  principal,\n  action == Policy::Action::"receive_mesage",\n  resource\n);`;
    const res = await api("PUT", "/api/policies", { text: bad });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.error.code).toBe("invalid_policy");
    expect(body.error.details.errors[0]).toMatchObject({ message: expect.stringContaining("receive_mesage"), line: 3 });

    const syntax = await api("PUT", "/api/policies", { text: "permit(principal, action, resource) when { resource.sender.address == };" });
    expect(syntax.status).toBe(400);
    expect((await syntax.json<any>()).error.details.errors[0]).toMatchObject({ line: 1, column: expect.any(Number) });

    const unknownAttr = await api("PUT", "/api/policies", { text: `permit(principal, action, resource) when { resource.sender.phone == "x" };` });
    expect(unknownAttr.status).toBe(400);
    expect(await json(api("GET", "/api/policies"))).toMatchObject({ version: 0 });
    expect((await api("PUT", "/api/policies", "{}", { "content-type": "application/xml" })).status).toBe(415);
  });

  it("explains a decision with /check", async () => {
    await seedChannel({ handle: "assistant" });
    await api("PUT", "/api/policies", { text: `${PARTNER_POLICY}\n${SHORTCODE_FORBID}` });
    expect(await json(api("POST", "/api/policies/check", { agent: "assistant", action: "receive_message", channel: "sms", sender: "+15559876543" }))).toMatchObject({
      decision: "allow",
      reasons: ["user.0"],
      errors: [],
      warnings: [],
    });
    expect(await json(api("POST", "/api/policies/check", { agent: "assistant", channel: "sms", sender: { address: "22000", paired: true } }))).toMatchObject({
      decision: "deny",
      reasons: ["user.1"],
    });
    expect(await json(api("POST", "/api/policies/check", { agent: "assistant", action: "receive_signal", channel: "sms", sender: "22000" }))).toMatchObject({ decision: "allow" });
    const stranger = await json(api("POST", "/api/policies/check", { agent: "someone", channel: "sms-9", sender: "+15550000000" }));
    expect(stranger).toMatchObject({ decision: "deny", reasons: [], warnings: [expect.stringContaining("someone"), expect.stringContaining("sms-9")] });
  });
});

describe("policies on inbound SMS", () => {
  it("the partner's number gets a reply; 22000 gets none and is recorded as dropped", async () => {
    const { channel, account } = await seedChannel({ handle: "assistant" });
    expect(channel.handle).toBe("sms");
    await pair(channel, account.token, OWNER);
    await api("PUT", "/api/policies", { text: `${PARTNER_POLICY}\n\n${SHORTCODE_FORBID}` });

    await sms(channel, account.token, "+15559876543", "Hi, it's your partner");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "completed", sender: "+15559876543" });
    expect((await outbound(channel.id))[0]).toMatchObject({ to: "+15559876543" });

    await sms(channel, account.token, "22000", "Your code is 123456");
    const [dropped] = await messages(channel.id);
    expect(dropped).toMatchObject({ from: "22000", status: "dropped", drop_reason: "policy_denied", meta: { policy: { decision: "deny", reasons: ["user.1"] } } });
    expect((await fakeState(account.sid)).messages.map((m) => m.to)).toEqual(["+15559876543"]);
  });

  it("forbid overrides the built-in permit for a paired sender", async () => {
    const { channel, account } = await seedChannel({ handle: "assistant" });
    await pair(channel, account.token, OWNER);
    await api("PUT", "/api/policies", { text: `forbid(principal, action == Policy::Action::"receive_message", resource) when { resource.sender.address == "${OWNER}" };` });
    await sms(channel, account.token, OWNER, "hello?");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "policy_denied" });
    expect(await json(api("GET", `/api/channels/${channel.id}/turns`))).toEqual([]);
  });

  it("a new policy version takes effect on the next message", async () => {
    const { channel, account } = await seedChannel({ handle: "assistant" });
    await pair(channel, account.token, OWNER);
    await sms(channel, account.token, "+15559876543", "first try");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "not_paired" });
    await api("PUT", "/api/policies", { text: PARTNER_POLICY });
    await sms(channel, account.token, "+15559876543", "second try");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "received", body: "second try" });
    await settledTurns(channel.id);
    await api("PUT", "/api/policies", { text: "" });
    await sms(channel, account.token, "+15559876543", "third try");
    expect((await messages(channel.id))[0]).toMatchObject({ status: "dropped", drop_reason: "not_paired" });
  });
});
