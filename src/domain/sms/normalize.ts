// LLMs write typographic punctuation (’ “ ” — … nbsp •) that is not in GSM-7; one such character turns a reply
// into UCS-2 and roughly doubles its segment count. These are swapped for their plain GSM-7 look-alikes.
import { isGsm7 } from "./gsm7";

// Only characters whose plain replacement reads the same to a person; letters with accents are left alone because
// dropping them changes words, not just typography.
const REPLACEMENTS: ReadonlyMap<string, string> = new Map([
  // single quotes, apostrophes, primes, stray accents
  ...pairs("‘’‚‛′‵`´ʼ", "'"),
  ["‹", "'"],
  ["›", "'"],
  // double quotes and double primes
  ...pairs("“”„‟″‶〝〞＂", '"'),
  ["«", '"'],
  ["»", '"'],
  // hyphens and dashes, minus, horizontal bar
  ...pairs("‐‑‒–—―−⁃", "-"),
  // bullets and middle dots used as list markers or separators
  ...pairs("•‣◦∙●▪·", "-"),
  ["…", "..."],
  ["⁄", "/"],
  ["∕", "/"],
  ["×", "x"],
  ["÷", "/"],
  ["≤", "<="],
  ["≥", ">="],
  ["≠", "!="],
  ["→", "->"],
  ["←", "<-"],
  ["⇒", "=>"],
  ["½", "1/2"],
  ["¼", "1/4"],
  ["¾", "3/4"],
  // degrees: 21°C reads fine as 21C (handled before this table); a bare 45° becomes "45 deg"
  ["°", " deg"],
  ["©", "(C)"],
  ["®", "(R)"],
  ["™", "(TM)"],
  // spaces of other widths become a plain space; invisible ones (zero-width, soft hyphen, BOM) disappear
  ...pairs("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t", " "),
  ...pairs("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
]);

function pairs(chars: string, replacement: string): [string, string][] {
  return Array.from(chars, (char) => [char, replacement]);
}

/** True when the text holds at least one character this module knows how to replace. */
export function containsTypography(text: string): boolean {
  for (const char of text) if (REPLACEMENTS.has(char)) return true;
  return false;
}

/** Every known typographic character replaced, whether or not the result ends up GSM-7. */
export function replaceTypography(text: string): string {
  let out = "";
  for (const char of text.replace(/°(?=[CF]\b)/g, "")) out += REPLACEMENTS.get(char) ?? char;
  return out;
}

export interface GsmNormalization {
  text: string;
  /** True when the returned text differs from the input. */
  applied: boolean;
}

/**
 * Uses the plain look-alikes only when that makes the whole text GSM-7. If something else (an emoji, Chinese)
 * keeps it UCS-2 anyway, swapping punctuation saves nothing and would only alter what the agent wrote.
 */
export function gsmNormalization(text: string): GsmNormalization {
  if (isGsm7(text)) return { text, applied: false };
  const replaced = replaceTypography(text);
  return isGsm7(replaced) ? { text: replaced, applied: true } : { text, applied: false };
}

export function normalizeForGsm(text: string): string {
  return gsmNormalization(text).text;
}
