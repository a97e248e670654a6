// Code extraction measured on a corpus of real-world-shaped SMS, plus the rules it relies on, one by one.
import { describe, expect, it } from "vitest";
import { annotate } from "../../../src/domain/signals/extract";
import { MAX_SIGNAL_BODY_LENGTH } from "../../../src/domain/signals/limits";
import { OTP_CORPUS } from "../../fixtures/otp-corpus";

describe("annotate: corpus accuracy", () => {
  it("extracts the expected code (or none) from at least 95% of the corpus", () => {
    const misses = OTP_CORPUS.map((m) => ({ ...m, got: annotate(m).code })).filter((m) => m.got !== m.expected);
    const hits = OTP_CORPUS.length - misses.length;
    const rate = hits / OTP_CORPUS.length;
    console.log(`otp extraction accuracy: ${hits}/${OTP_CORPUS.length} = ${(rate * 100).toFixed(1)}%`);
    for (const m of misses) console.log(`  miss: expected ${m.expected}, got ${m.got}: ${JSON.stringify(m.body)}`);
    expect(OTP_CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });
});

const code = (body: string, from = "+15555550100") => annotate({ body, from }).code;

describe("annotate: code shapes", () => {
  it("joins digits written in groups", () => {
    expect(code("Your code: 123 456")).toBe("123456");
    expect(code("Your code: 123-456")).toBe("123456");
    expect(code("Your code: 1234 5678")).toBe("12345678");
  });

  it("keeps a prefixed code as written", () => {
    expect(code("G-482913 is your Google verification code.")).toBe("G-482913");
  });

  it("takes mixed letter-and-digit codes only beside a code keyword", () => {
    expect(code("Your verification code is AB12CD")).toBe("AB12CD");
    expect(code("Booking reference AB12CD for your trip")).toBeNull();
  });

  it("takes 4 to 8 digits, no fewer and no more", () => {
    expect(code("Your code is 123")).toBeNull();
    expect(code("Your code is 1234")).toBe("1234");
    expect(code("Your code is 12345678")).toBe("12345678");
    expect(code("Your code is 123456789")).toBeNull();
  });

  it("reads full-width and Arabic-Indic digits", () => {
    expect(code("验证码：８２０３１４")).toBe("820314");
    expect(code("رمز التحقق: ٤٨٢٩١٣")).toBe("482913");
  });
});

describe("annotate: choosing among numbers", () => {
  it("picks the number nearest a code keyword and lists the others after it", () => {
    const a = annotate({ body: "Use 5521 at the gym. Your login code is 830192.", from: "+15555550100" });
    expect(a.code).toBe("830192");
    expect(a.codes).toEqual(["830192", "5521"]);
  });

  it("skips labelled order, reference and card numbers", () => {
    expect(code("Your OTP for order 1234567 is 482913")).toBe("482913");
    expect(code("Card ending 4321: your one-time code is 771203")).toBe("771203");
    expect(annotate({ body: "Order 48213: your code is 7721", from: "x" }).codes).toEqual(["7721"]);
  });

  it("never takes prices, dates, times, phone numbers or percentages", () => {
    expect(code("Your code is $1299")).toBeNull();
    expect(code("Your code expires 2024-05-01 at 10:30")).toBeNull();
    expect(code("Code valid until 12/05/2025")).toBeNull();
    expect(code("Verification: call 1-800-555-0199")).toBeNull();
    expect(code("Your code gives 25% off")).toBeNull();
    expect(code("Your code costs 1,299.00 €")).toBeNull();
  });

  it("returns null without a code keyword", () => {
    expect(code("Your order 48213 arrives on 05/12 at 10:30, total $45.99")).toBeNull();
    expect(code("Meeting in room 4012")).toBeNull();
  });

  it("treats a promotion's code as no code", () => {
    expect(code("20% off today! Use code SAVE20 at checkout")).toBeNull();
  });

  it("accepts a message that is only a code", () => {
    expect(code("482913")).toBe("482913");
  });

  it("is deterministic", () => {
    const body = "Your code is 482913. Order 55123 ships 05/12.";
    expect(annotate({ body, from: "1" })).toEqual(annotate({ body, from: "1" }));
  });
});

describe("annotate: links", () => {
  it("finds http(s) links and bare domains with a path, without trailing punctuation", () => {
    const a = annotate({ body: "Sign in: https://example.com/magic?t=abc123. Or tap v.whatsapp.com/123456, (see https://a.io/x)", from: "x" });
    expect(a.links).toEqual(["https://example.com/magic?t=abc123", "v.whatsapp.com/123456", "https://a.io/x"]);
  });

  it("ignores bare domains without a path and e-mail addresses", () => {
    expect(annotate({ body: "Visit example.com or write to help@example.com", from: "x" }).links).toEqual([]);
  });

  it("never takes digits inside a link for a code", () => {
    const a = annotate({ body: "Your login link: https://acme.test/login/482913", from: "x" });
    expect(a.code).toBeNull();
    expect(a.links).toEqual(["https://acme.test/login/482913"]);
  });
});

describe("annotate: sender", () => {
  it.each([
    ["+14155550123", "e164"],
    ["22000", "short_code"],
    ["HSBC", "alphanumeric"],
    ["Maybank2u", "alphanumeric"],
    ["whatsapp:+14155550123", "other"],
    ["A very long sender name", "other"],
  ] as const)("classifies %s as %s", (from, kind) => {
    expect(annotate({ body: "hi", from }).sender).toEqual({ address: from, kind });
  });
});

describe("annotate: keywords", () => {
  it("names what the message is about", () => {
    expect(annotate({ body: "Your login code is 482913", from: "x" }).keywords).toEqual(["verification", "login"]);
    expect(annotate({ body: "Reset your password: https://x.test/reset/abc", from: "x" }).keywords).toEqual(["password_reset"]);
    expect(annotate({ body: "Your package is out for delivery", from: "x" }).keywords).toEqual(["delivery"]);
    expect(annotate({ body: "Your payment of $45.00 was received", from: "x" }).keywords).toEqual(["payment"]);
  });
});

describe("annotate: size limit", () => {
  it(`reads only the first MAX_SIGNAL_BODY_LENGTH (${MAX_SIGNAL_BODY_LENGTH}) characters of a body`, () => {
    const tail = " Your code is 482913";
    expect(code(`${"x".repeat(MAX_SIGNAL_BODY_LENGTH - tail.length)}${tail}`)).toBe("482913");
    expect(code(`${"x".repeat(MAX_SIGNAL_BODY_LENGTH)}${tail}`)).toBeNull();
    expect(annotate({ body: `${"x ".repeat(MAX_SIGNAL_BODY_LENGTH)}https://bank.example/verify`, from: "+15555550100" }).links).toEqual([]);
    // Counted in characters as the webhook counts them: emoji (two UTF-16 units each) do not push the code out.
    const emoji = "🔐".repeat(MAX_SIGNAL_BODY_LENGTH - tail.length);
    expect(code(`${emoji}${tail}`)).toBe("482913");
  });
});
