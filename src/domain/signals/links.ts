// Links in an SMS: magic sign-in links and "tap to verify" URLs. Found first so that the digits inside them are
// never taken for a code, and handed to the waiting agent as they were written.
import type { Span } from "./text";

export interface FoundLink extends Span {
  url: string;
}

// Characters a URL may hold (RFC 3986); anything else, such as CJK text glued to the link, ends it.
const URL_CHARS = "[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]";
const SCHEME_URL = new RegExp(`https?://${URL_CHARS}+`, "gi");
// A bare domain counts only with a path ("v.whatsapp.com/123456"): "example.com" alone is a name, not a link.
const BARE_URL = new RegExp(`(?<![A-Za-z0-9@.\\-/])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,24}(?::\\d{2,5})?/${URL_CHARS}*`, "gi");
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const TRAILING = /[.,;:!?'"\]}>]+$/;

/** Drops sentence punctuation after a link, and a closing parenthesis the link did not open. */
function trimTail(url: string): string {
  let out = url;
  for (;;) {
    const before = out;
    out = out.replace(TRAILING, "");
    if (out.endsWith(")") && count(out, "(") < count(out, ")")) out = out.slice(0, -1);
    if (out === before) return out;
  }
}

const count = (s: string, ch: string) => s.split(ch).length - 1;

export function findLinks(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  const taken: Span[] = [];
  for (const pattern of [SCHEME_URL, BARE_URL]) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index;
      if (taken.some((t) => start >= t.start && start < t.end)) continue;
      const url = trimTail(m[0]);
      if (pattern === BARE_URL && !url.includes("/")) continue;
      const span = { start, end: start + url.length };
      taken.push({ start, end: start + m[0].length });
      found.push({ ...span, url });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Spans of e-mail addresses: masked like links, but not reported as links. */
export function findEmails(text: string): Span[] {
  return [...text.matchAll(EMAIL)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
