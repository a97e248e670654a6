import { describe, expect, it } from "vitest";
import { validatePolicies } from "../../../src/domain/policy";

// Cedar's own messages for common mistakes, as the policy editor shows them: line and column kept, and neither
// Cedar's internal policy ids (policy0), ours (user.0) nor Markdown backticks in the words.
const MISTAKES: Record<string, string> = {
  "a missing comma": 'permit (\n  principal,\n  action\n  resource\n);',
  "a misspelt action": 'permit(\n  principal,\n  action == Policy::Action::"receive_mesage",\n  resource\n);',
  "a missing value": "permit(principal, action, resource) when { resource.sender.address == };",
  "an unknown attribute": 'permit(principal, action, resource) when { resource.sender.phone == "x" };',
  "an unknown entity type": 'permit(principal == Policy::User::"x", action, resource);',
  "a type mismatch": 'permit(principal, action, resource) when { resource.sender.paired == "yes" };',
  "an unclosed string": 'permit(principal, action, resource) when { resource.sender.address == "abc };',
  "a missing semicolon": "permit(principal, action, resource)",
  "a wrong effect": "allow(principal, action, resource);",
  "an unknown context attribute": "permit(principal, action, resource) when { context.x == 1 };",
  "a template": "permit(principal == ?principal, action, resource);",
};

describe("policy errors in words", () => {
  for (const [what, text] of Object.entries(MISTAKES)) {
    it(`explains ${what} without internal ids or backticks, at its line and column`, () => {
      const result = validatePolicies(text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      for (const p of result.errors) {
        const words = `${p.message} ${p.help ?? ""}`;
        expect(words).not.toMatch(/`|\bpolicy\d+\b|\buser\.\d+\b|for policy/);
        expect(p.message).toMatch(/^[A-Z"]/);
        if (what !== "a template") expect(p.line).toBeGreaterThan(0);
      }
    });
  }

  it("says what was expected where the text stops making sense", () => {
    const result = validatePolicies(MISTAKES["a missing comma"]!);
    expect(result).toMatchObject({ ok: false, errors: [{ line: 4, column: 3, message: expect.stringMatching(/^Unexpected "resource" here \(expected .*","/) }] });
    expect(validatePolicies(MISTAKES["a type mismatch"]!)).toMatchObject({ ok: false, errors: [{ message: "A Bool cannot be compared with a String" }] });
    expect(validatePolicies(MISTAKES["a wrong effect"]!)).toMatchObject({ ok: false, errors: [{ message: '"allow" is not an effect: a policy starts with permit or forbid' }] });
  });
});
