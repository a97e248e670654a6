// Signal categories, measured on the labelled OTP corpus, and the rules they rest on, one by one.
import { describe, expect, it } from "vitest";
import { CATEGORIES, categorize } from "../../../src/domain/signals/categories";
import { annotate } from "../../../src/domain/signals/extract";
import { MAX_SIGNAL_BODY_LENGTH } from "../../../src/domain/signals/limits";
import { formatScores, scoreCategories } from "../../fixtures/category-score";
import { OTP_CORPUS } from "../../fixtures/otp-corpus";

const categories = (body: string, from = "AcmeBank") => annotate({ body, from }).categories;

describe("categories: corpus accuracy", () => {
  it("labels every category with at least 90% precision and 90% recall", () => {
    const { scores, misses } = scoreCategories();
    for (const line of formatScores(scores)) console.log(line);
    for (const m of misses) console.log(`  miss: labelled [${m.message.categories}], got [${m.got}]: ${JSON.stringify(m.message.body)}`);
    // Every category is measured on enough messages to mean something.
    for (const s of scores) expect(s.labelled, s.category).toBeGreaterThanOrEqual(8);
    for (const s of scores) {
      expect(s.precision, `${s.category} precision`).toBeGreaterThanOrEqual(0.9);
      expect(s.recall, `${s.category} recall`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("gives verification_code exactly to the messages the extractor finds a code in", () => {
    for (const m of OTP_CORPUS) {
      const a = annotate(m);
      expect(a.categories.includes("verification_code"), m.body).toBe(a.code !== null);
    }
  });

  it("labels the corpus in CATEGORIES order, each once", () => {
    for (const m of OTP_CORPUS) expect(m.categories).toEqual(CATEGORIES.filter((c) => m.categories.includes(c)));
  });
});

describe("categories: rules", () => {
  it("answers in CATEGORIES order, each once", () => {
    const got = categories("Chase: Suspicious activity: a $899.00 purchase at BESTBUY. Not you? Call us.");
    expect(got).toEqual(["payment", "security_alert"]);
  });

  it("calls a link that signs in, verifies or resets a magic link, and other links not", () => {
    expect(categories("Tap to sign in: https://acme.test/magic/confirm?t=abc")).toEqual(["magic_link"]);
    expect(categories("Tap this link to verify your phone: acme.test/v/8d7f")).toEqual(["magic_link"]);
    expect(categories("New sign-in to your account. If this wasn't you, secure your account at g.co/sc")).toEqual(["security_alert"]);
    expect(categories("Your order shipped! Track it at acme.test/track/123")).toEqual(["delivery"]);
  });

  it("reads a boilerplate 'if this wasn't you' as an alert only without a code", () => {
    expect(categories("Your security code is 441920. Call us if this wasn't you.")).toEqual(["verification_code"]);
    expect(categories("Your card was charged €12.99. Not you? Freeze your card.")).toEqual(["payment", "security_alert"]);
  });

  it("tells a discount from a debit (Arabic خصم is both)", () => {
    expect(categories("خصم 50% على رحلتك القادمة!")).toEqual(["marketing"]);
    expect(categories("تم خصم مبلغ 200 ريال من بطاقتك")).toEqual(["payment"]);
  });

  it("does not take an amount in a promotion for a payment", () => {
    expect(categories("Up to 80% off on mobiles from Rs. 4,999. Shop now!")).toEqual(["marketing"]);
  });

  it("calls a text personal only from a phone number, without a service's marks", () => {
    expect(categories("running late, grab us a table?", "+14155550177")).toEqual(["personal"]);
    expect(categories("running late, grab us a table?", "ACME")).toEqual([]);
    expect(categories("running late, grab us a table?", "22000")).toEqual([]);
    expect(categories("Acme Dental: see you tomorrow at 10:00. Reply C to confirm.", "+18885550100")).toEqual(["appointment"]);
    expect(categories("Your code is 482913", "+14155550177")).toEqual(["verification_code"]);
  });

  it("leaves a message no category fits with none", () => {
    expect(categories("We've updated our privacy policy. No action needed.")).toEqual([]);
  });

  it("takes its facts from the annotation: codes and links decide their categories, not the wording", () => {
    const sender = { address: "ACME", kind: "alphanumeric" } as const;
    expect(categorize({ text: "hello", sender, codes: ["482913"], links: [] })).toEqual(["verification_code"]);
    expect(categorize({ text: "hello", sender, codes: [], links: ["https://acme.test/login/abc"] })).toEqual(["magic_link"]);
  });

  it(`reads only the first MAX_SIGNAL_BODY_LENGTH (${MAX_SIGNAL_BODY_LENGTH}) characters`, () => {
    expect(categories(`${"x ".repeat(MAX_SIGNAL_BODY_LENGTH)} Your parcel was delivered`)).toEqual([]);
    expect(categories(`${"x ".repeat(MAX_SIGNAL_BODY_LENGTH / 2 - 20)} Your parcel was delivered`)).toEqual(["delivery"]);
  });
});
