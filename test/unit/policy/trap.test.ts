// A wasm trap inside Cedar (here: a stack overflow on text the precheck would have refused, handed straight to the
// low-level call) must not poison the instance: the next save, and the next decision of an engine built before
// the trap, work in the same isolate.
import { describe, expect, it } from "vitest";
import { PolicyEngine, validatePolicies, type DecisionQuery } from "../../../src/domain/policy";
import { CedarTrap, withCedar } from "../../../src/domain/policy/cedar";
import { SCHEMA } from "../../../src/domain/policy/schema";
import { ALLOWED_NUMBER, BLOCKED_SHORT_CODE, USER_POLICIES } from "./fixtures";

const DEEP = `permit(principal, action, resource) when { ${"(".repeat(5000)}true${")".repeat(5000)} };`;
const query = (address: string, paired = false): DecisionQuery => ({
  agent: "assistant",
  action: "receive_message",
  channel: "sms",
  sender: { address, paired },
});
const trap = () => withCedar((c) => c.validate({ schema: SCHEMA, policies: { staticPolicies: DEEP } }));

describe("Cedar trap recovery", () => {
  it("answers the trapping call with a CedarTrap, then serves a normal save and decision", () => {
    expect(trap).toThrow(CedarTrap);
    expect(validatePolicies(USER_POLICIES)).toEqual({ ok: true, policies: 2 });
    const engine = new PolicyEngine(USER_POLICIES, "after-trap");
    expect(engine.decide(query(ALLOWED_NUMBER))).toEqual({ decision: "allow", reasons: ["user.0"], errors: [] });
  });

  it("re-parses the sets and schema that lived in the discarded instance", () => {
    // Both engines hold preparsed slots in the instance that is about to trap.
    const before = new PolicyEngine(USER_POLICIES, "before-trap");
    const forbidAll = new PolicyEngine(`forbid(principal, action, resource);`, "forbid-all");
    expect(before.decide(query(ALLOWED_NUMBER)).decision).toBe("allow");
    expect(forbidAll.decide(query(BLOCKED_SHORT_CODE, true)).decision).toBe("deny");
    expect(trap).toThrow(CedarTrap);
    // New queries (not cached) go to the fresh instance; a stale slot id would answer "not found", or another set.
    expect(before.decide(query(BLOCKED_SHORT_CODE, true))).toEqual({ decision: "deny", reasons: ["user.1"], errors: [] });
    expect(before.decide(query("+15550001111", true))).toEqual({ decision: "allow", reasons: ["base.paired_senders"], errors: [] });
    expect(forbidAll.decide(query("+15550001111", true)).decision).toBe("deny");
  });

  it("survives traps one after another", () => {
    for (let i = 0; i < 3; i++) {
      expect(trap).toThrow(/restarted: .*(memory access out of bounds|call stack)/);
      expect(validatePolicies(USER_POLICIES).ok).toBe(true);
    }
  });
});
