import { describe, expect, it } from "vitest";
import { BASE_POLICIES, validatePolicies } from "../../../src/domain/policy";
import { USER_POLICIES } from "./fixtures";

describe("validatePolicies", () => {
  it("accepts the two user policies as written", () => {
    expect(validatePolicies(USER_POLICIES)).toEqual({ ok: true, policies: 2 });
  });

  it("accepts empty text and comments as an empty set", () => {
    expect(validatePolicies("")).toEqual({ ok: true, policies: 0 });
    expect(validatePolicies("  // nothing yet\n")).toEqual({ ok: true, policies: 0 });
  });

  it("accepts the base policies (they share the user schema)", () => {
    expect(validatePolicies(Object.values(BASE_POLICIES).join("\n"))).toEqual({ ok: true, policies: 2 });
  });

  it("reports a typo with its line and column", () => {
    const result = validatePolicies(`permit(\n  principal,\n  actoin == Policy::Action::"receive_message",\n  resource\n);`);
    expect(result).toMatchObject({ ok: false, errors: [{ line: 3, column: 3, message: expect.stringContaining("actoin") }] });
  });

  it("reports every parse error, not only the first", () => {
    const result = validatePolicies(`permit(principal, actoin, resource);\nforbid(principal, action, resourc);`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([[1, 19], [2, 27]]);
  });

  it("counts columns in characters, not UTF-8 bytes", () => {
    const line2 = `permit(principal, action, resource) when { "é" == "é" && resource.sendr };`;
    const result = validatePolicies(`// café ☕\n${line2}`);
    // Two é before the error: 2 bytes each in UTF-8, so a byte count would land 2 columns late.
    expect(result).toMatchObject({ ok: false, errors: [{ line: 2, column: line2.indexOf("resource.sendr") + 1 }] });
  });

  it("reports an unknown attribute against the schema, naming the policy", () => {
    const text = `${USER_POLICIES}\npermit(principal, action, resource)\n  when { resource.sender.phone == "+15551234567" };`;
    const result = validatePolicies(text);
    expect(result).toMatchObject({
      ok: false,
      errors: [{ policy: "user.2", line: 14, column: 10, message: 'Policy::Message has no attribute "sender.phone"' }],
    });
  });

  it("reports an unknown action with Cedar's suggestion", () => {
    const result = validatePolicies(`permit(principal, action == Policy::Action::"receive_mesage", resource);`);
    expect(result).toMatchObject({
      ok: false,
      errors: [{ policy: "user.0", message: 'Unknown action Policy::Action::"receive_mesage"', help: 'Did you mean Policy::Action::"receive_message"?' }],
    });
  });

  it("reports type errors and unknown entity types", () => {
    const result = validatePolicies(
      `permit(principal == Policy::User::"x", action, resource);\n@id("long") permit(principal, action, resource) when { resource.sender.paired == 1 };`,
    );
    expect(result).toMatchObject({ ok: false, errors: [{ policy: "user.0" }, { policy: "long", line: 2 }] });
  });

  it("uses @id annotations as policy ids and refuses duplicates or the reserved base. prefix", () => {
    const permit = `permit(principal, action, resource) when { resource.sender.paired };`;
    expect(validatePolicies(`@id("a") ${permit}\n@id("a") ${permit}`)).toMatchObject({ ok: false, errors: [{ policy: "a" }] });
    expect(validatePolicies(`@id("base.signals") ${permit}`)).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining("reserved") }] });
    expect(validatePolicies(`@id("user.1") ${permit}\n${permit}`)).toMatchObject({ ok: false, errors: [{ policy: "user.1" }] });
  });

  it("refuses policy templates", () => {
    expect(validatePolicies(`permit(principal == ?principal, action, resource);`)).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringContaining("template") }],
    });
  });
});
