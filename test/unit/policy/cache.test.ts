import { describe, expect, it } from "vitest";
import { getPolicyEngine, type DecisionQuery } from "../../../src/domain/policy";
import { BLOCKED_SHORT_CODE, USER_POLICIES } from "./fixtures";

const paired = (address: string): DecisionQuery => ({
  agent: "assistant",
  action: "receive_message",
  channel: "sms",
  sender: { address, paired: true },
});
const forbidOnly = (address: string) =>
  `forbid(principal, action == Policy::Action::"receive_message", resource) when { resource.sender.address == "${address}" };`;

describe("getPolicyEngine", () => {
  it("returns the same engine for the same version and a new one for a new version", () => {
    const first = getPolicyEngine(USER_POLICIES, "cache-1");
    expect(getPolicyEngine(USER_POLICIES, "cache-1")).toBe(first);
    const next = getPolicyEngine(`${USER_POLICIES}\n// edited`, "cache-2");
    expect(next).not.toBe(first);
    expect(next.version).toBe("cache-2");
  });

  it("never reuses an engine for different text under the same version", () => {
    const a = getPolicyEngine(forbidOnly("+15550000001"), "shared");
    const b = getPolicyEngine(forbidOnly("+15550000002"), "shared");
    expect(b).not.toBe(a);
    expect(b.decide(paired("+15550000002")).decision).toBe("deny");
    expect(b.decide(paired("+15550000001")).decision).toBe("allow");
  });

  it("keeps every engine correct when more versions are live than Cedar has parsed slots", () => {
    // Ten engines, each forbidding its own number, decided round-robin: each preparsed slot changes hands often.
    const engines = Array.from({ length: 10 }, (_, i) => getPolicyEngine(forbidOnly(`+1555000000${i}`), `round-${i}`));
    for (let round = 0; round < 3; round++) {
      engines.forEach((engine, i) => {
        expect(engine.decide(paired(`+1555000000${i}`))).toMatchObject({ decision: "deny", reasons: ["user.0"] });
        expect(engine.decide(paired(`+1555000000${(i + 1) % 10}`)).decision).toBe("allow");
        expect(engine.decide(paired(BLOCKED_SHORT_CODE)).decision).toBe("allow");
      });
    }
  });
});
