import { describe, expect, it } from "vitest";
import { matchKeyword } from "../../../src/domain/twilio/keywords";

describe("opt-out keywords", () => {
  it("match the whole trimmed body, any case", () => {
    expect(matchKeyword(" stop ")).toEqual({ keyword: "STOP", kind: "opt_out" });
    expect(matchKeyword("Unsubscribe.")).toEqual({ keyword: "UNSUBSCRIBE", kind: "opt_out" });
    expect(matchKeyword("START")).toEqual({ keyword: "START", kind: "opt_in" });
    expect(matchKeyword("help")).toEqual({ keyword: "HELP", kind: "help" });
  });

  it("ignore keywords inside a sentence", () => {
    expect(matchKeyword("please stop texting me")).toBeNull();
    expect(matchKeyword("Don't stop")).toBeNull();
    expect(matchKeyword("")).toBeNull();
  });
});
