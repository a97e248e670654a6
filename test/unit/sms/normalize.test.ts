import { describe, expect, it } from "vitest";
import { containsTypography, countSegments, gsmNormalization, normalizeForGsm } from "../../../src/domain/sms";

describe("normalizeForGsm", () => {
  it("replaces quotes, dashes and the ellipsis with GSM-7 look-alikes", () => {
    expect(normalizeForGsm("It’s “booked” – 9:00—10:00… ‘ok’")).toBe(`It's "booked" - 9:00-10:00... 'ok'`);
  });

  it("replaces primes, minus, horizontal bar, guillemets and the fraction slash", () => {
    expect(normalizeForGsm("5′11″ −3 ―x «oui» ‹non› 1⁄2")).toBe(`5'11" -3 -x "oui" 'non' 1/2`);
  });

  it("turns odd spaces into spaces and drops invisible characters", () => {
    expect(normalizeForGsm("10\u00a0am\u2009sharp\u200b!\u202fok\ufeff")).toBe("10 am sharp! ok");
  });

  it("turns bullets into hyphens", () => {
    expect(normalizeForGsm("• milk\n• eggs\n◦ bread")).toBe("- milk\n- eggs\n- bread");
  });

  it("writes degrees the way people text them", () => {
    expect(normalizeForGsm("21°C, feels like 70°F; turn 90°")).toBe("21C, feels like 70F; turn 90 deg");
  });

  it("makes a reply with curly quotes cost one segment instead of two", () => {
    const reply = "Your table for 2 at Luigi’s is confirmed for Friday at 7:30pm. They’ll hold it 15 minutes – reply “cancel” to release it.";
    expect(countSegments(reply)).toMatchObject({ encoding: "UCS-2", segments: 2 });
    expect(countSegments(normalizeForGsm(reply))).toMatchObject({ encoding: "GSM-7", segments: 1 });
  });
});

describe("gsmNormalization", () => {
  it("reports when it applied", () => {
    expect(gsmNormalization("It’s done")).toEqual({ text: "It's done", applied: true });
  });

  it("leaves text alone when an emoji keeps it UCS-2 anyway", () => {
    expect(gsmNormalization("It’s done 🎉")).toEqual({ text: "It’s done 🎉", applied: false });
  });

  it("leaves text alone when non-Latin script keeps it UCS-2 anyway", () => {
    expect(gsmNormalization("“你好” – hi")).toEqual({ text: "“你好” – hi", applied: false });
  });

  it("does nothing to text that is already GSM-7", () => {
    expect(gsmNormalization("Plain 'text' - fine...")).toEqual({ text: "Plain 'text' - fine...", applied: false });
  });
});

describe("containsTypography", () => {
  it("spots characters that have a GSM-7 look-alike", () => {
    expect(containsTypography("It’s")).toBe(true);
    expect(containsTypography("a\u00a0b")).toBe(true);
    expect(containsTypography("plain 😀 你好")).toBe(false);
  });
});
