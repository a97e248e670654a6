// The shapes a verification code takes in an SMS, found in text whose links, prices and dates are already
// masked, and the labels ("order", "card ending") that mark a number as something else.
import type { KeywordHit } from "./code-keywords";
import { type Span, WORD_CHAR, mask } from "./text";

export type CandidateKind = "prefixed" | "grouped" | "digits" | "mixed" | "after_keyword";

export interface Candidate extends Span {
  /** The code as it should be typed: separators of grouped digits removed, anything else as written. */
  code: string;
  kind: CandidateKind;
}

const W = WORD_CHAR;
// "G-482913": a short capital prefix, a dash and digits, kept whole because the prefix is part of the code.
const PREFIXED = new RegExp(`(?<![${W}-])[A-Z]{1,3}-\\d{4,8}(?![${W}]|-\\d)`, "g");
// "123 456", "123-456", "1234 5678", "48 29 13": equal groups of 2 to 4 digits, 8 digits at most; pairs only
// as three (two pairs are too often a date or a score).
const GROUPED = new RegExp(`(?<![${W}]|\\d[-.,:/] ?)(\\d{2,4})([ -])(\\d{2,4})(?:\\2(\\d{2,4}))?(?![${W}]|[-.,:/]\\d)`, "g");
// "4B7K-9PQ2": groups of capitals and digits joined by dashes, written as a whole.
const MIXED_GROUPS = new RegExp(`(?<![${W}-])(?=[A-Z0-9-]*\\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5}){1,2}(?![${W}-])`, "g");
// "482913": 4 to 8 digits not glued to other digits by a separator (those are prices, dates and phone numbers).
const DIGITS = new RegExp(`(?<![${W}]|\\d[-.,:/'])\\d{4,8}(?![${W}]|[-.,:/']\\d)`, "g");
// "AB12CD", "4K7QF": capitals and digits, at least one of each.
const MIXED = new RegExp(`(?<![${W}-])(?=[A-Z0-9]*\\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,8}(?![${W}-])`, "g");
// Units and model names that have the mixed shape: 10GB, 24H, 3DS, COVID19, A320.
const NOT_MIXED = /^(?:\d+[A-Z]{1,3}|[A-Z]{1,2}\d{1,3}|COVID19|IOS\d+)$/;
// Straight after "code is" / "code:" two more shapes are believed: lower-case mixed codes ("r8k2m5p9") and, only
// with the colon, all-capital ones (Steam Guard codes can have no digit at all).
const AFTER_KEYWORD = /^\s*(?:is|es|ist|est|é)?\s*(?:[:：]\s*([A-Z]{4,8})|[:：]?\s*((?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{4,8}))(?![A-Za-z0-9])/;

/**
 * Finds every code-shaped run, most specific shape first, masking each once taken so that "G-482913" does not
 * also yield "482913" and "123 456" does not yield "123" twice.
 */
export function findCandidates(masked: string, keywords: KeywordHit[]): Candidate[] {
  let text = masked;
  const found: Candidate[] = [];
  const take = (start: number, written: string, kind: CandidateKind, code = written) => {
    const span = { start, end: start + written.length };
    found.push({ ...span, code, kind });
    text = mask(text, span);
  };
  for (const m of masked.matchAll(PREFIXED)) take(m.index, m[0], "prefixed");
  for (const m of [...text.matchAll(GROUPED)]) {
    const groups = [m[1], m[3], m[4]].filter((g): g is string => g !== undefined);
    const size = groups[0]?.length ?? 0;
    if (groups.every((g) => g.length === size) && groups.join("").length <= 8 && (size > 2 || groups.length === 3)) {
      take(m.index, m[0], "grouped", groups.join(""));
    }
  }
  for (const m of [...text.matchAll(DIGITS)]) take(m.index, m[0], "digits");
  for (const m of [...text.matchAll(MIXED_GROUPS)]) take(m.index, m[0], "mixed");
  for (const m of [...text.matchAll(MIXED)]) if (!NOT_MIXED.test(m[0])) take(m.index, m[0], "mixed");
  for (const k of keywords) {
    if (k.strength !== "strong") continue;
    const m = AFTER_KEYWORD.exec(text.slice(k.end));
    const code = m?.[1] ?? m?.[2];
    if (m && code) take(k.end + m[0].length - code.length, code, "after_keyword");
  }
  return found.sort((a, b) => a.start - b.start);
}

// Words that, right before a number, say what the number is when it is not a code.
const LABEL =
  "order|orders|tracking|track|shipment|parcel|package|pkg|ref|reference|booking|reservation|invoice|receipt|" +
  "transaction|txn|trx|a/c|ending(?: in| with)?|ends(?: in| with)?|membership|" +
  "policy|claim|case|ticket|flight|seat|gate|room|table|bus|train|platform|store|branch|item|sku|model|" +
  "serial|loan|contract|amount|balance|total|sum|limit|apt|suite|unit|box|pedido|orden|bestellung|bestellnummer|" +
  "sendung|sendungsnummer|commande|colis|envío|encomenda|ordine|spedizione|sipariş|zamówienie|bestelling|" +
  "заказ\\S*|посылк\\S*|订单号?|运单号?|單號|单号|快递单号|注文番号|주문번호|운송장|confirmation (?:number|no\\.?|#)";
const NUMBER_WORD = "(?:number|num|no\\.?|nr\\.?|n[°º]|#|id)";
const LABELLED = new RegExp(`(?<!\\p{L})(?:${LABEL})\\s*${NUMBER_WORD}?\\s*(?:is|was|:|#|-|=|：)?\\s*[#:：]?\\s*$`, "iu");
// Whose number it is: these label a number only when written right before it or with "number"/"no."; after a
// colon ("for your Yahoo account: 482913") the number is usually what the sentence was leading up to.
const OWNER = "account|acct|card|member|customer|client";
const OWNER_LABELLED = new RegExp(`(?<!\\p{L})(?:${OWNER})\\s*(?:${NUMBER_WORD}\\s*(?:is|:)?)?\\s*$`, "iu");

/** True when the text just before the candidate names it as an order, a card, an amount or the like. */
export function isLabelled(text: string, candidate: Span): boolean {
  const before = text.slice(Math.max(0, candidate.start - 40), candidate.start);
  return LABELLED.test(before) || OWNER_LABELLED.test(before);
}
