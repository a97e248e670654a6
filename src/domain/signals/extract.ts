// Annotates an inbound SMS for signal mode: the verification code an agent is waiting for, every other code-
// shaped candidate, links, the sender's kind, a few topic keywords and the message's categories. Pure and
// deterministic.
import { type Category, categorize } from "./categories";
import { type Candidate, findCandidates, isLabelled } from "./candidates";
import { type KeywordHit, findCodeKeywords, isPromotion } from "./code-keywords";
import { readableBody } from "./limits";
import { findEmails, findLinks } from "./links";
import { maskNotCodes } from "./not-codes";
import { type Sender, classifySender } from "./sender";
import { type Span, foldToAscii, gap, mask } from "./text";
import { type Topic, findTopics } from "./topics";

export interface Annotation {
  /** The best code, or null. Always `codes[0] ?? null`. */
  code: string | null;
  /** Every plausible code, best first, each once. */
  codes: string[];
  links: string[];
  sender: Sender;
  keywords: Topic[];
  /** What kind of message it is (CATEGORIES order); empty when none fits. */
  categories: Category[];
}

// Scoring is a distance in characters from the nearest code keyword, plus these penalties.
const WEAK_KEYWORD_PENALTY = 15; // "sign in" says less than "code"
const SENTENCE_PENALTY = 20; // a code is written in the sentence that names it
const MIXED_PENALTY = 8; // digits are the common case; "AB12CD" must be closer to win
const MAX_WEAK_DISTANCE = 40; // without "code", only a number right by "sign in" is trusted
const MAX_MIXED_DISTANCE = 30; // letters and digits far from "code" are product names and references
const SENTENCE_END = /[.!?。！？\n]\s|[。！？\n]/;

/** Reads the body's first MAX_SIGNAL_BODY_LENGTH characters: every step is linear, and this bounds the line. */
export function annotate(input: { body: string; from: string }): Annotation {
  const text = foldToAscii(readableBody(input.body));
  const links = findLinks(text);
  let masked = text;
  for (const span of [...links, ...findEmails(text)]) masked = mask(masked, span);
  const promotion = isPromotion(masked);
  masked = maskNotCodes(masked);
  const keywords = findCodeKeywords(masked, promotion);
  const codes = rankCodes(text, masked, keywords);
  const urls = [...new Set(links.map((l) => l.url))];
  const sender = classifySender(input.from);
  return {
    code: codes[0] ?? null,
    codes,
    links: urls,
    sender,
    keywords: findTopics(text, codes.length > 0),
    categories: categorize({ text, sender, codes, links: urls }),
  };
}

function rankCodes(text: string, masked: string, keywords: KeywordHit[]): string[] {
  const candidates = findCandidates(masked, keywords).filter((c) => !isLabelled(masked, c));
  // A message that is nothing but a code ("482913") needs no keyword.
  const [only] = candidates;
  if (candidates.length === 1 && only && text.trim().replace(/[.!]$/, "") === text.slice(only.start, only.end)) {
    return [only.code];
  }
  const scored = candidates
    .map((c) => ({ c, score: score(c, keywords, text) }))
    .filter((s): s is { c: Candidate; score: number } => s.score !== null)
    .sort((a, b) => a.score - b.score || a.c.start - b.c.start);
  return [...new Set(scored.map((s) => s.c.code))];
}

/** Lower is better; null when no keyword vouches for the candidate. */
function score(c: Candidate, keywords: KeywordHit[], text: string): number | null {
  let best: number | null = null;
  for (const k of keywords) {
    const distance = gap(c, k);
    if (k.strength === "weak" && distance > MAX_WEAK_DISTANCE) continue;
    if ((c.kind === "mixed" || c.kind === "after_keyword") && (k.strength === "weak" || distance > MAX_MIXED_DISTANCE)) continue;
    let s = distance + (k.strength === "weak" ? WEAK_KEYWORD_PENALTY : 0) + (c.kind === "mixed" ? MIXED_PENALTY : 0);
    if (SENTENCE_END.test(between(text, c, k))) s += SENTENCE_PENALTY;
    if (best === null || s < best) best = s;
  }
  return best;
}

function between(text: string, a: Span, b: Span): string {
  return a.end <= b.start ? text.slice(a.end, b.start) : text.slice(b.end, a.start);
}
