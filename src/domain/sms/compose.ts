// In message mode one agent turn sends exactly one SMS. This builds that body from the text of every step of the
// tool loop: plain text, GSM-7 where it can be, capped to what Twilio accepts in one message (or to a segment
// budget). Given a link to the whole reply, a body that does not fit ends in "Full reply: <link>" instead of an
// ellipsis, so nothing the agent said is lost.
import { encodingOf, type SmsEncoding } from "./gsm7";
import { markdownToPlain } from "./markdown";
import { replaceTypography } from "./normalize";
import { countSegments } from "./segments";

/** Twilio refuses a message body longer than 1600 characters. */
export const MAX_BODY_CHARS = 1600;
// How far back from the cut a word boundary may be before we give up and cut mid-word.
const WORD_BOUNDARY_WINDOW = 20;

/** The most of a reply kept for its full-reply page; an agent writing more than this is cut there too. */
export const MAX_FULL_REPLY_CHARS = 100_000;

export interface ComposeOptions {
  /** Upper bound on the body, in UTF-16 code units (so also in code points). Defaults to 1600. */
  maxChars?: number;
  /** Upper bound on the segments the body costs (MAX_REPLY_SEGMENTS); none when absent. */
  maxSegments?: number;
  /** Where the whole reply can be read: a body that does not fit ends in "Full reply: <link>". */
  link?: string;
  /** Set false to keep typographic characters as the agent wrote them. Defaults to true. */
  normalize?: boolean;
}

export interface TurnBody {
  /** The one SMS body for the turn; "" when no step said anything (the caller decides what to do). */
  body: string;
  encoding: SmsEncoding;
  /** Segments the body costs; 0 for an empty body, since nothing is sent. */
  segments: number;
  /** True when GSM-7 look-alikes replaced typographic characters in the body. */
  normalized: boolean;
  truncated: boolean;
  /** The whole reply as the agent wrote it (markdown flattened), when the body was cut and ends in the link. */
  full?: string;
}

export function composeTurnBody(stepTexts: readonly string[], opts: ComposeOptions = {}): TurnBody {
  const maxChars = opts.maxChars ?? MAX_BODY_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  const maxSegments = opts.maxSegments;
  if (maxSegments !== undefined && (!Number.isInteger(maxSegments) || maxSegments < 1)) {
    throw new RangeError(`maxSegments must be a positive integer, got ${maxSegments}`);
  }
  const fits: Fits = (s) => s.length <= maxChars && (maxSegments === undefined || countSegments(s).segments <= maxSegments);
  const fit = (text: string) => fitTo(text, fits, maxChars, opts.link);

  const plain = stepTexts
    .filter((text) => text.trim() !== "")
    .map(markdownToPlain)
    .filter((text) => text !== "")
    .join("\n\n");
  if (plain === "") return { body: "", encoding: "GSM-7", segments: 0, normalized: false, truncated: false };

  const asWritten = fit(plain);
  let chosen = asWritten;
  let normalized = false;
  if (opts.normalize !== false) {
    // Normalise, then judge the body that would actually be sent: the look-alikes are used only when that body
    // is GSM-7. Judging after the cut also lets an emoji that falls past the cut stop mattering.
    const replaced = fit(replaceTypography(plain));
    if (encodingOf(replaced.text) === "GSM-7" && replaced.text !== asWritten.text) {
      chosen = replaced;
      normalized = true;
    }
  }
  const { encoding, segments } = countSegments(chosen.text);
  const linked = chosen.truncated && opts.link !== undefined;
  return { body: chosen.text, encoding, segments, normalized, truncated: chosen.truncated, ...(linked ? { full: pageText(plain) } : {}) };
}

/** The page's text: at most MAX_FULL_REPLY_CHARS, never ending on the high half of a surrogate pair. */
function pageText(text: string): string {
  if (text.length <= MAX_FULL_REPLY_CHARS) return text;
  const last = text.charCodeAt(MAX_FULL_REPLY_CHARS - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_FULL_REPLY_CHARS - 1 : MAX_FULL_REPLY_CHARS);
}

interface Capped {
  text: string;
  truncated: boolean;
}

type Fits = (body: string) => boolean;

/** Cuts text to at most maxChars UTF-16 code units, ending in an ellipsis that keeps the body's encoding. */
export function cap(text: string, maxChars: number): Capped {
  return fitTo(text, (s) => s.length <= maxChars, maxChars);
}

/**
 * The longest head of `text`, cut at a word, that still fits with its ending: "Full reply: <link>" when there is
 * a link, else an ellipsis. Both fit tests (length, segments) only grow with the head, so the longest fitting
 * prefix is found by bisection and the word cut, being shorter, fits too.
 */
function fitTo(text: string, fits: Fits, maxChars: number, link?: string): Capped {
  if (fits(text)) return { text, truncated: false };
  if (link !== undefined) {
    const ending = `Full reply: ${link}`;
    const head = cutAt(text, longestFitting(text, `\n\n${ending}`, fits));
    // Not even the link fits beside any text: the link alone says where the reply is.
    return { text: head ? `${head}\n\n${ending}` : ending, truncated: true };
  }
  // Too small for any text plus "...": a plain cut is the only way to stay within the limit.
  if (maxChars < 4) return { text: cutAt(text, longestFitting(text, "", fits), false), truncated: true };
  // "…" is not GSM-7 and would alone turn a GSM-7 body into UCS-2, so GSM-7 bodies get "..." instead.
  const gsmHead = cutAt(text, longestFitting(text, "...", fits));
  if (encodingOf(gsmHead) === "GSM-7") return { text: gsmHead + "...", truncated: true };
  return { text: cutAt(text, longestFitting(text, "…", fits)) + "…", truncated: true };
}

function longestFitting(text: string, ending: string, fits: Fits): number {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(text.slice(0, mid) + ending)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function cutAt(text: string, limit: number, atWord = true): string {
  if (limit <= 0) return "";
  // Never end on the high half of a surrogate pair: that would leave a lone surrogate (an unsendable character).
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  let head = text.slice(0, end);
  // Prefer to end on a whole word when one ends close to the cut; a long URL or word is cut where it is.
  const boundary = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\n"));
  const endsOnWord = /\s/.test(text[end] ?? "");
  if (atWord && !endsOnWord && boundary > 0 && end - boundary <= WORD_BOUNDARY_WINDOW) head = head.slice(0, boundary);
  // No dangling separator or half of an emoji sequence before the ellipsis.
  return head.replace(/[\s,;:\u200d\ufe0f]+$/u, "");
}
