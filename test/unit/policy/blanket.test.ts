// Which denials hold for every sender: what lets watch creation refuse a watch that could never be served.
import { describe, expect, it } from "vitest";
import { PolicyEngine, type DecisionQuery } from "../../../src/domain/policy";

const probe = (agent: string, channel = "sms", address = "+15550000000"): DecisionQuery => ({ agent, action: "receive_signal", channel, sender: { address, paired: false } });

describe("blanketDenial", () => {
  it("names an unconditional forbid on the agent, on every channel", () => {
    const engine = new PolicyEngine(`forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource);`, "b1");
    expect(engine.blanketDenial(probe("x"))).toEqual(["user.0"]);
    expect(engine.blanketDenial(probe("x", "other", "22000"))).toEqual(["user.0"]);
    expect(engine.blanketDenial(probe("y"))).toEqual([]);
  });

  it("names a forbid scoped to a channel only there", () => {
    const engine = new PolicyEngine(`@id("no-sms") forbid(principal, action == Policy::Action::"receive_signal", resource in Policy::Channel::"sms");`, "b2");
    expect(engine.blanketDenial(probe("x"))).toEqual(["no-sms"]);
    expect(engine.blanketDenial(probe("x", "other"))).toEqual([]);
  });

  it("ignores forbids that depend on the sender: conditions, or a scope naming one message", () => {
    const engine = new PolicyEngine(
      `forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource) when { resource.sender.address == "+15550000000" };
forbid(principal == Policy::Agent::"x", action == Policy::Action::"receive_signal", resource == Policy::Message::"22000");
forbid(principal == Policy::Agent::"x", action, resource is Policy::Message in Policy::Message::"22000");`,
      "b3",
    );
    expect(engine.decide(probe("x")).decision).toBe("deny");
    expect(engine.blanketDenial(probe("x"))).toEqual([]);
    expect(engine.blanketDenial(probe("x", "sms", "22000"))).toEqual([]);
  });

  it("counts `resource is Policy::Message` as every message", () => {
    const engine = new PolicyEngine(`forbid(principal == Policy::Agent::"x", action, resource is Policy::Message);`, "b4");
    expect(engine.blanketDenial(probe("x"))).toEqual(["user.0"]);
  });
});
