import { describe, expect, it } from "vitest";
import { describeDecision, PolicyEngine, type DecisionQuery } from "../../../src/domain/policy";
import { ALLOWED_NUMBER, BLOCKED_SHORT_CODE, USER_POLICIES } from "./fixtures";

const query = (address: string, paired: boolean, over: Partial<DecisionQuery> = {}): DecisionQuery => ({
  agent: "assistant",
  action: "receive_message",
  channel: "sms",
  sender: { address, paired },
  ...over,
});

describe("PolicyEngine with the two user policies", () => {
  const engine = new PolicyEngine(USER_POLICIES, "v1");

  it("lets the permitted number reach the assistant on sms without pairing", () => {
    expect(engine.decide(query(ALLOWED_NUMBER, false))).toEqual({ decision: "allow", reasons: ["user.0"], errors: [] });
  });

  it("does not extend that permit to another agent or another channel", () => {
    expect(engine.decide(query(ALLOWED_NUMBER, false, { agent: "scheduler" })).decision).toBe("deny");
    expect(engine.decide(query(ALLOWED_NUMBER, false, { channel: "whatsapp" })).decision).toBe("deny");
  });

  it("denies the short code even when paired: the forbid overrides the base permit", () => {
    expect(engine.decide(query(BLOCKED_SHORT_CODE, true))).toEqual({ decision: "deny", reasons: ["user.1"], errors: [] });
  });

  it("still lets the forbidden short code feed signal watches", () => {
    expect(engine.decide(query(BLOCKED_SHORT_CODE, true, { action: "receive_signal" }))).toEqual({
      decision: "allow",
      reasons: ["base.signals"],
      errors: [],
    });
  });
});

describe("PolicyEngine with no user policies", () => {
  const engine = new PolicyEngine("", "empty");

  it("allows a paired sender through the base policy", () => {
    expect(engine.decide(query("+15551230000", true))).toEqual({ decision: "allow", reasons: ["base.paired_senders"], errors: [] });
  });

  it("denies an unpaired sender with no determining policy", () => {
    expect(engine.decide(query("+15551230000", false))).toEqual({ decision: "deny", reasons: [], errors: [] });
  });
});

describe("PolicyEngine inputs policies can use", () => {
  it("exposes the sender kind and the channel's paired addresses", () => {
    const engine = new PolicyEngine(
      `@id("no_short_codes") forbid(principal, action == Policy::Action::"receive_message", resource)
         when { resource.sender.kind == "short_code" };
       @id("paired_elsewhere") permit(principal, action, resource)
         when { context.paired_addresses.contains(resource.sender.address) };`,
      "inputs",
    );
    expect(engine.decide(query("12345", true)).reasons).toEqual(["no_short_codes"]);
    expect(engine.decide(query("+15551230000", false, { pairedAddresses: ["+15551230000"] }))).toMatchObject({
      decision: "allow",
      reasons: ["paired_elsewhere"],
    });
  });

  it("remembers decisions per whole question: the paired set, agent and action are part of it", () => {
    const engine = new PolicyEngine(
      `@id("paired_elsewhere") permit(principal == Policy::Agent::"assistant", action == Policy::Action::"receive_message", resource)
         when { context.paired_addresses.contains(resource.sender.address) };`,
      "memo",
    );
    const sender = "+15551230000";
    const asked = () => [
      engine.decide(query(sender, false, { pairedAddresses: [sender] })).decision,
      engine.decide(query(sender, false, { pairedAddresses: [] })).decision,
      engine.decide(query(sender, false, { pairedAddresses: ["+15550000000", sender] })).decision,
      engine.decide(query(sender, false, { pairedAddresses: [sender], agent: "other" })).decision,
      // Signals are open to every sender by the base policy, whatever this one says.
      engine.decide(query(sender, false, { pairedAddresses: [], action: "receive_signal" })).decision,
    ];
    const first = asked();
    expect(first).toEqual(["allow", "deny", "allow", "deny", "allow"]);
    expect(asked()).toEqual(first);
    // A caller changing the answer it got cannot change the next one.
    engine.decide(query(sender, false, { pairedAddresses: [sender] })).reasons.push("tampered");
    expect(engine.decide(query(sender, false, { pairedAddresses: [sender] })).reasons).toEqual(["paired_elsewhere"]);
  });

  it("keeps @id(\"__proto__\") as a real policy rather than an object prototype", () => {
    const engine = new PolicyEngine(`@id("__proto__") forbid(principal, action, resource);`, "proto");
    expect(engine.decide(query("+15551230000", true))).toMatchObject({ decision: "deny", reasons: ["__proto__"] });
  });

  it("names policies by position past ten, though Cedar sorts its ids as strings", () => {
    const text = Array.from({ length: 12 }, (_, i) => `permit(principal, action, resource) when { resource.sender.address == "+1555000${1000 + i}" };`);
    const engine = new PolicyEngine(text.join("\n"), "twelve");
    expect(engine.policies).toBe(12);
    for (const i of [2, 10, 11]) expect(engine.decide(query(`+1555000${1000 + i}`, false)).reasons).toEqual([`user.${i}`]);
  });
});

describe("PolicyEngine with text that no longer validates", () => {
  const engine = new PolicyEngine(`permit(principal, action, resource) when { resource.sender.phone == "x" };`, "broken");

  it("fails closed, saying why, even for paired senders and signals", () => {
    expect(engine.problems).toHaveLength(1);
    for (const action of ["receive_message", "receive_signal"] as const) {
      const d = engine.decide(query("+15551230000", true, { action }));
      expect(d).toMatchObject({ decision: "deny", reasons: [], errors: [expect.stringContaining("broken is invalid")] });
    }
  });
});

describe("describeDecision", () => {
  const engine = new PolicyEngine(USER_POLICIES, "v1");
  const say = (q: DecisionQuery) => describeDecision(engine.decide(q), q);

  it("names the determining policy or the missing permit", () => {
    expect(say(query(BLOCKED_SHORT_CODE, true))).toBe("denied by user.1");
    expect(say(query("+15551230000", false))).toBe("no policy permits receive_message (sender not paired)");
    expect(say(query(ALLOWED_NUMBER, false))).toBe("allowed by user.0");
  });
});
