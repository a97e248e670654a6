// Policy text Cedar cannot digest (deep nesting, long chains, oversize) is refused before Cedar sees it, with the
// reason and where; what a person writes still passes.
import { describe, expect, it } from "vitest";
import {
  MAX_POLICY_CHAIN,
  MAX_POLICY_NESTING,
  MAX_POLICY_TEXT_LENGTH,
  PolicyEngine,
  validatePolicies,
  type DecisionQuery,
} from "../../../src/domain/policy";
import { USER_POLICIES } from "./fixtures";

const when = (cond: string) => `permit(principal, action == Policy::Action::"receive_message", resource) when { ${cond} };`;
const ADDRESS = 'resource.sender.address == "+15551234567"';
const query: DecisionQuery = { agent: "assistant", action: "receive_message", channel: "sms", sender: { address: "+15551234567", paired: false } };

describe("policy text limits", () => {
  it("refuses 5 000 nested parentheses with the reason and the position of the first one too deep", () => {
    const text = when("(".repeat(5000) + "true" + ")".repeat(5000));
    const result = validatePolicies(text);
    // `permit(` is closed by then and `when {` is one level, so the 32nd parenthesis is the 33rd open bracket.
    const column = text.indexOf("(".repeat(32)) + 32;
    expect(result).toEqual({ ok: false, errors: [{ message: `brackets are nested more than ${MAX_POLICY_NESTING} deep`, line: 1, column }] });
  });

  it("counts brackets of every kind, and none inside strings or comments", () => {
    expect(validatePolicies(when("[".repeat(40) + "1" + "]".repeat(40) + " == [1]")).ok).toBe(false);
    expect(validatePolicies(when("{a: ".repeat(40) + "1" + "}".repeat(40) + " == {a: 1}")).ok).toBe(false);
    const quiet = `// ${"(".repeat(100)}\n${when(`resource.sender.address == "${"(".repeat(100)}\\"[[["`)}`;
    expect(validatePolicies(quiet)).toEqual({ ok: true, policies: 1 });
  });

  it("accepts nesting up to the limit", () => {
    const depth = MAX_POLICY_NESTING - 1;
    expect(validatePolicies(when("(".repeat(depth) + "true" + ")".repeat(depth)))).toEqual({ ok: true, policies: 1 });
  });

  it("refuses a chain of || longer than the limit, pointing at the operator past it, and suggests a set", () => {
    const result = validatePolicies(when(Array(MAX_POLICY_CHAIN + 2).fill("resource.sender.paired").join(" || ")));
    expect(result).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining(".contains("), line: 1 }] });
  });

  it("accepts a long allow-list written as a chain of || or as a set", () => {
    expect(validatePolicies(when(Array(200).fill(ADDRESS).join(" || ")))).toEqual({ ok: true, policies: 1 });
    const set = `[${Array(1500).fill('"+15551234567"').join(", ")}].contains(resource.sender.address)`;
    expect(validatePolicies(when(set))).toEqual({ ok: true, policies: 1 });
  });

  it("refuses nested ifs past the limit, even when each hides behind ||", () => {
    const ifs = "true || if true then ".repeat(MAX_POLICY_NESTING + 1) + "true" + " else false".repeat(MAX_POLICY_NESTING + 1);
    expect(validatePolicies(when(ifs))).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining("`if`") }] });
  });

  it("refuses text over the size limit, before parsing it", () => {
    const text = `${USER_POLICIES}//${"x".repeat(MAX_POLICY_TEXT_LENGTH)}`;
    expect(validatePolicies(text)).toEqual({
      ok: false,
      errors: [{ message: `policy text is ${text.length} characters; the limit is ${MAX_POLICY_TEXT_LENGTH}` }],
    });
  });

  it("lets an engine built on refused text deny, carrying the reason (fail closed)", () => {
    const engine = new PolicyEngine(when("(".repeat(5000) + "true" + ")".repeat(5000)), "deep");
    expect(engine.decide(query)).toMatchObject({ decision: "deny", errors: [expect.stringContaining("nested more than")] });
  });

  // Each at the edge of what passes, with the evaluator run too: what the precheck lets through never traps Cedar.
  it.each([
    ["nested ||", "(".repeat(29) + Array(220).fill(ADDRESS).join(" || ") + ")".repeat(29)],
    ["nested +", "(".repeat(29) + Array(220).fill("1").join(" + ") + ")".repeat(29) + " == 1"],
    ["ifs in brackets", "(if (true || true) then ".repeat(14) + "true" + " else false)".repeat(14)],
  ])("passes %s at the limit and decides it without a trap", (_, cond) => {
    const engine = new PolicyEngine(when(cond), `edge-${cond.length}`);
    expect(engine.problems).toEqual([]);
    expect(engine.decide(query).errors).toEqual([]);
  });
});

describe("decision query limits", () => {
  it("denies, without asking Cedar, a sender address or handle past its bound", () => {
    const engine = new PolicyEngine("permit(principal, action, resource);", "permit-all");
    expect(engine.decide(query).decision).toBe("allow");
    const long = { ...query, sender: { address: "+1".padEnd(65, "5"), paired: true } };
    expect(engine.decide(long)).toMatchObject({ decision: "deny", errors: [expect.stringContaining("longer than 64")] });
    expect(engine.decide({ ...query, agent: "a".repeat(64) })).toMatchObject({ decision: "deny", errors: [expect.stringContaining("agent handle")] });
    expect(engine.decide({ ...query, pairedAddresses: ["x".repeat(65)] }).decision).toBe("deny");
  });
});
