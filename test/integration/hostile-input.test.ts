// Inputs built to stall the worker or poison Cedar, sent through the real routes: a catastrophic-backtracking
// watch pattern meets a full SMS of digits, policy text nested far too deep is refused, and the next request of
// every kind still works.
import { describe, expect, it } from "vitest";
import { MAX_POLICY_NESTING } from "../../src/domain/policy";
import { MAX_SIGNAL_BODY_LENGTH } from "../../src/domain/signals";
import { api, json } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const SENDER = "+15550009999";
const watch = (body: Record<string, unknown>) => api("POST", "/api/signals/watches", { timeout_s: 60, lookback_s: 0, ...body });

describe("hostile watch patterns", () => {
  it("a watch on \\d*\\d*\\d*\\d*x lets a full SMS of digits through, and the API keeps answering", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const res = await watch({ agent_id: agent.id, channel_id: channel.id, regex: "\\d*\\d*\\d*\\d*x" });
    expect(res.status).toBe(201);
    const w = await res.json<any>();

    // Under V8's backtracking engine this one webhook runs for hours; under RE2 it is one pass.
    expect((await sms(channel, account.token, SENDER, "1".repeat(MAX_SIGNAL_BODY_LENGTH))).status).toBe(200);
    expect(await json(api("GET", `/api/signals/watches/${w.id}`))).toMatchObject({ status: "waiting" });
    expect((await api("GET", `/api/channels/${channel.id}`)).status).toBe(200);

    await sms(channel, account.token, SENDER, `${"1".repeat(MAX_SIGNAL_BODY_LENGTH - 1)}x`);
    expect(await json(api("GET", `/api/signals/watches/${w.id}`))).toMatchObject({ status: "matched" });
  });

  it("refuses lookahead with a 400 that says watch patterns are RE2", async () => {
    const { channel, agent } = await seedChannel({ dispatch_mode: "signal" });
    const res = await watch({ agent_id: agent.id, channel_id: channel.id, regex: "code(?=\\d{6})" });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.issues).toEqual([{ path: "regex", message: expect.stringMatching(/lookahead.*RE2 syntax/) }]);
  });
});

describe("hostile policy text", () => {
  it("refuses 5 000 nested parentheses with 400 invalid_policy and where, then saves and applies a normal policy", async () => {
    const { channel } = await seedChannel({ handle: "assistant" });
    const deep = `permit(principal, action, resource) when { ${"(".repeat(5000)}true${")".repeat(5000)} };`;
    const refused = await api("PUT", "/api/policies", deep, { "content-type": "text/plain" });
    expect(refused.status).toBe(400);
    const body = await refused.json<any>();
    expect(body.error).toMatchObject({ code: "invalid_policy", message: expect.stringContaining(`nested more than ${MAX_POLICY_NESTING} deep`) });
    expect(body.error.details.errors[0]).toMatchObject({ line: 1, column: expect.any(Number) });

    const forbid = `forbid(principal, action == Policy::Action::"receive_message", resource) when { resource.sender.address == "22000" };`;
    expect((await api("PUT", "/api/policies", { text: forbid })).status).toBe(200);
    const check = (sender: string) => json(api("POST", "/api/policies/check", { agent: "assistant", channel: channel.handle, sender: { address: sender, paired: true } }));
    expect(await check("22000")).toMatchObject({ decision: "deny", reasons: ["user.0"], errors: [] });
    expect(await check("+15557770001")).toMatchObject({ decision: "allow", reasons: ["base.paired_senders"] });
  });

  it("bounds the strings /api/policies/check hands to Cedar", async () => {
    const res = await api("POST", "/api/policies/check", { agent: "a".repeat(64), channel: "sms", sender: "+15550000000" });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.code).toBe("validation_error");
    expect((await api("POST", "/api/policies/check", { agent: "a", channel: "sms", sender: "1".repeat(65) })).status).toBe(400);
  });
});
