// Offset-preserving text helpers for the extractor. Every step below works on character offsets of one string
// (to measure how far a number sits from the word "code"), so normalising and masking never change its length.

/** A half-open range [start, end) of character offsets. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Stands in for text that must not be read again (a URL, a price, a taken code). It is neither a letter, a digit
 * nor a space, so a number next to a masked run is still seen as ending there.
 */
export const MASK = "\u0001";

/** ASCII letters, digits and Latin letters with accents: what may not touch a code on either side. */
export const WORD_CHAR = "A-Za-z0-9_\\u00C0-\\u024F";

const ZERO_BY_BLOCK = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50]; // Arabic-Indic, Persian, Devanagari, Bengali, Thai

/**
 * Folds what phones send for letters and digits into ASCII, one code unit for one: full-width forms (１２３４),
 * the ideographic space, and the native digits of Arabic, Persian, Hindi, Bengali and Thai texts. Full-width
 * punctuation stays: "４８２９１３，５分钟" must not become the decimal "482913,5".
 */
export function foldToAscii(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) out += String.fromCharCode(cp - 0xfee0);
    else if (cp === 0x3000) out += " ";
    else {
      const zero = ZERO_BY_BLOCK.find((z) => cp >= z && cp <= z + 9);
      out += zero === undefined ? ch : String(cp - zero);
    }
  }
  return out;
}

export function mask(text: string, span: Span): string {
  return text.slice(0, span.start) + MASK.repeat(span.end - span.start) + text.slice(span.end);
}

/** Masks every match of a global pattern; `keep` may veto a match (its text then stays readable). */
export function maskAll(text: string, pattern: RegExp, keep?: (m: RegExpExecArray) => boolean): string {
  let out = text;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0 || (keep && keep(m))) continue;
    out = mask(out, { start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Characters between two spans (0 when they touch or overlap). */
export function gap(a: Span, b: Span): number {
  if (a.end <= b.start) return b.start - a.end;
  if (b.end <= a.start) return a.start - b.end;
  return 0;
}
