// In message mode one agent turn sends exactly one SMS. This builds that body from the text of every step of the
// tool loop: plain text, GSM-7 where it can be, capped to what Twilio accepts in one message.
import { encodingOf, type SmsEncoding } from "./gsm7";
import { markdownToPlain } from "./markdown";
import { replaceTypography } from "./normalize";
import { countSegments } from "./segments";

/** Twilio refuses a message body longer than 1600 characters. */
export const MAX_BODY_CHARS = 1600;
// How far back from the cut a word boundary may be before we give up and cut mid-word.
const WORD_BOUNDARY_WINDOW = 20;

export interface ComposeOptions {
  /** Upper bound on the body, in UTF-16 code units (so also in code points). Defaults to 1600. */
  maxChars?: number;
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
}

export function composeTurnBody(stepTexts: readonly string[], opts: ComposeOptions = {}): TurnBody {
  const maxChars = opts.maxChars ?? MAX_BODY_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }

  const plain = stepTexts
    .filter((text) => text.trim() !== "")
    .map(markdownToPlain)
    .filter((text) => text !== "")
    .join("\n\n");
  if (plain === "") return { body: "", encoding: "GSM-7", segments: 0, normalized: false, truncated: false };

  const asWritten = cap(plain, maxChars);
  let chosen = asWritten;
  let normalized = false;
  if (opts.normalize !== false) {
    // Normalise, then judge the body that would actually be sent: the look-alikes are used only when that body
    // is GSM-7. Judging after the cut also lets an emoji that falls past the cut stop mattering.
    const replaced = cap(replaceTypography(plain), maxChars);
    if (encodingOf(replaced.text) === "GSM-7" && replaced.text !== asWritten.text) {
      chosen = replaced;
      normalized = true;
    }
  }
  const { encoding, segments } = countSegments(chosen.text);
  return { body: chosen.text, encoding, segments, normalized, truncated: chosen.truncated };
}

interface Capped {
  text: string;
  truncated: boolean;
}

/** Cuts text to at most maxChars UTF-16 code units, ending in an ellipsis that keeps the body's encoding. */
export function cap(text: string, maxChars: number): Capped {
  if (text.length <= maxChars) return { text, truncated: false };
  // Too small for any text plus "...": a plain cut is the only way to stay within the limit.
  if (maxChars < 4) return { text: cutAt(text, maxChars, false), truncated: true };
  // "…" is not GSM-7 and would alone turn a GSM-7 body into UCS-2, so GSM-7 bodies get "..." instead.
  const gsmHead = cutAt(text, maxChars - 3);
  if (encodingOf(gsmHead) === "GSM-7") return { text: gsmHead + "...", truncated: true };
  return { text: cutAt(text, maxChars - 1) + "…", truncated: true };
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
