import { describe, expect, it } from "vitest";
import { countSegments } from "../../../src/domain/sms";

const a = (n: number) => "a".repeat(n);
const zhe = (n: number) => "Ж".repeat(n);

describe("countSegments, GSM-7", () => {
  it("counts the empty body as one segment", () => {
    expect(countSegments("")).toEqual({ encoding: "GSM-7", segments: 1, units: 0 });
  });

  it("fits 160 septets in one segment and splits at 161", () => {
    expect(countSegments(a(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(countSegments(a(161))).toEqual({ encoding: "GSM-7", segments: 2, units: 161 });
  });

  it("packs 153 septets per concatenated part", () => {
    expect(countSegments(a(306)).segments).toBe(2);
    expect(countSegments(a(307)).segments).toBe(3);
    expect(countSegments(a(459)).segments).toBe(3);
    expect(countSegments(a(460)).segments).toBe(4);
  });

  it("counts extension characters as two septets", () => {
    expect(countSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(countSegments("€".repeat(80) + "a")).toEqual({ encoding: "GSM-7", segments: 2, units: 161 });
  });

  it("never splits an escape+char pair across parts", () => {
    // 306 septets would fit two parts of 153, but the € at septets 153-154 must move whole to part two.
    expect(countSegments(a(152) + "€" + a(152))).toEqual({ encoding: "GSM-7", segments: 3, units: 306 });
    // With the pair wholly inside part one, the same length fits in two.
    expect(countSegments(a(151) + "€" + a(153))).toEqual({ encoding: "GSM-7", segments: 2, units: 306 });
  });
});

describe("countSegments, UCS-2", () => {
  it("fits 70 code units in one segment and splits at 71", () => {
    expect(countSegments(zhe(70))).toEqual({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSegments(zhe(71))).toEqual({ encoding: "UCS-2", segments: 2, units: 71 });
  });

  it("packs 67 code units per concatenated part", () => {
    expect(countSegments(zhe(134)).segments).toBe(2);
    expect(countSegments(zhe(135)).segments).toBe(3);
  });

  it("counts an emoji as two code units", () => {
    expect(countSegments("😀".repeat(35))).toEqual({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSegments("😀".repeat(36))).toEqual({ encoding: "UCS-2", segments: 2, units: 72 });
  });

  it("never splits a surrogate pair across parts", () => {
    // 134 units would fit two parts of 67, but the emoji at units 67-68 must move whole to part two.
    expect(countSegments(zhe(66) + "😀" + zhe(66))).toEqual({ encoding: "UCS-2", segments: 3, units: 134 });
    expect(countSegments(zhe(65) + "😀" + zhe(67))).toEqual({ encoding: "UCS-2", segments: 2, units: 134 });
  });

  it("switches the whole body to UCS-2 for one curly apostrophe", () => {
    const text = `It’s confirmed: ${a(100)}`;
    expect(countSegments(text)).toEqual({ encoding: "UCS-2", segments: 2, units: 116 });
    expect(countSegments(text.replace("’", "'"))).toEqual({ encoding: "GSM-7", segments: 1, units: 116 });
  });
});
