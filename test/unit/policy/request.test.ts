import { describe, expect, it } from "vitest";
import { senderKind } from "../../../src/domain/policy";

describe("senderKind", () => {
  it("classifies addresses the way Twilio writes them", () => {
    expect(senderKind("+15559876543")).toBe("e164");
    expect(senderKind("22000")).toBe("short_code");
    expect(senderKind("MyBank")).toBe("alphanumeric");
    expect(senderKind("not an address!")).toBe("unknown");
  });
});
