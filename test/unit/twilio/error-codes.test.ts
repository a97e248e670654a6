// Every mapped Twilio error code says something an owner can act on, unknown codes still point at Twilio's page,
// and the README's table lists exactly the mapped codes.
import { describe, expect, it } from "vitest";
import readme from "../../../README.md?raw";
import { explainTwilioError, TWILIO_ERRORS } from "../../../src/domain/twilio/error-codes";

const REQUIRED = ["11200", "21211", "21408", "21610", "21612", "21614", "30003", "30004", "30005", "30006", "30007", "30008", "30034", "30038", "30039"];

describe("Twilio error codes", () => {
  it("maps every code the issue names", () => {
    for (const code of REQUIRED) expect(TWILIO_ERRORS, code).toHaveProperty([code]);
  });

  for (const code of Object.keys(TWILIO_ERRORS)) {
    it(`explains ${code} with a hint and Twilio's page`, () => {
      const e = explainTwilioError(code, null)!;
      expect(e).toEqual({ code, message: TWILIO_ERRORS[code]!.title, explanation: expect.any(String), hint: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}` });
      expect(e.explanation.length).toBeGreaterThan(30);
      expect(e.hint!.length).toBeGreaterThan(20);
      // Twilio's own words win when the send answer carried them.
      expect(explainTwilioError(code, "Twilio said so")!.message).toBe("Twilio said so");
    });
  }

  it("says what 30038 means for signal mode: the code never reaches textgate and a watch times out", () => {
    const e = explainTwilioError("30038", null)!;
    expect(e.explanation).toContain("never reaches textgate");
    expect(e.explanation).toContain("signal mode");
    expect(e.explanation).toContain("times out");
  });

  it("links an unknown code to Twilio's error page", () => {
    expect(explainTwilioError("30999", null)).toEqual({
      code: "30999",
      message: "Twilio error 30999",
      explanation: "Twilio reported error 30999 for this message.",
      hint: expect.stringContaining("30999"),
      more_info: "https://www.twilio.com/docs/errors/30999",
    });
  });

  it("keeps textgate's own codes and plain notes readable, without a Twilio link", () => {
    expect(explainTwilioError(null, null)).toBeNull();
    expect(explainTwilioError("recipient_opted_out", "+1555 opted out (STOP)")).toMatchObject({ code: "recipient_opted_out", more_info: null, hint: expect.stringContaining("START") });
    expect(explainTwilioError(null, "could not check Twilio for an earlier send")).toMatchObject({ code: null, message: "could not check Twilio for an earlier send", more_info: null });
  });

  it("is listed in the README's table, code for code", () => {
    const table = readme.slice(readme.indexOf("### Twilio error codes"));
    const rows = [...table.matchAll(/^\| \[(\d{5})\]\(https:\/\/www\.twilio\.com\/docs\/errors\/\1\) \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.keys(TWILIO_ERRORS).sort());
  });
});
