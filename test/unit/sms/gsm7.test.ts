import { describe, expect, it } from "vitest";
import { encodingOf, septetsOf } from "../../../src/domain/sms";

describe("encodingOf", () => {
  it("accepts the GSM 03.38 basic set, including its Greek capitals and accented letters", () => {
    expect(encodingOf("Hello @ £$¥ èéùìò Ç Øø Åå ΔΦΓΛΩΠΨΣΘΞ ÆæßÉ ¤ ¡¿ ÄÖÑÜ§ äöñüà\r\n")).toBe("GSM-7");
  });

  it("accepts the extension table", () => {
    expect(encodingOf("^{}\\[~]|€\f")).toBe("GSM-7");
  });

  it("needs UCS-2 for one character outside GSM-7", () => {
    for (const text of ["It’s", "ç", "`", "😀", "你好", "Привет", "x\u00a0y", "\u001b"]) {
      expect(encodingOf(text), text).toBe("UCS-2");
    }
  });

  it("treats the empty string as GSM-7", () => {
    expect(encodingOf("")).toBe("GSM-7");
  });
});

describe("septetsOf", () => {
  it("costs 1 for basic, 2 for extension, 0 for anything else", () => {
    expect(septetsOf("a")).toBe(1);
    expect(septetsOf("€")).toBe(2);
    expect(septetsOf("|")).toBe(2);
    expect(septetsOf("’")).toBe(0);
  });
});
