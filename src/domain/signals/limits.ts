// How much of what agents and senders send reaches annotation and matching. One place, so the docs, the API
// schemas and the domain checks cannot drift apart. Every bound here keeps the work per SMS linear and small.

/**
 * Characters (code points, as the webhook form counts them) of an SMS body that are annotated and matched:
 * Twilio's limit for one concatenated message, so nothing the webhook accepts is cut. A longer body from any other
 * path is stored as it came, but only its first this-many characters are read for codes, links and watches.
 */
export const MAX_SIGNAL_BODY_LENGTH = 1600;
/** Characters in a watch's `regex`. */
export const MAX_PATTERN_LENGTH = 200;
/**
 * RE2's program size for a watch's `regex` ("a very approximate measure of a regexp's cost"). Matching stays
 * linear, but its constant grows with the program, and past a few thousand RE2's DFA cache overflows:
 * ".{0,1000}.{0,1000}x" is 4 003 and takes a third of a second per SMS. Real patterns are tens ("\b\d{6}\b" is 10).
 */
export const MAX_PATTERN_PROGRAM = 1000;
/** Characters in a watch's `contains`. */
export const MAX_CONTAINS_LENGTH = 200;
/** Characters in a watch's `from` (E.164 is at most 16, a sender id 11). */
export const MAX_FROM_LENGTH = 32;
/** Characters in a watch's `channel_id`. */
export const MAX_CHANNEL_ID_LENGTH = 100;

/** The part of a body that is read: its first MAX_SIGNAL_BODY_LENGTH code points (an emoji is not split). */
export function readableBody(body: string): string {
  if (body.length <= MAX_SIGNAL_BODY_LENGTH) return body;
  let end = 0;
  let count = 0;
  for (const ch of body) {
    if (++count > MAX_SIGNAL_BODY_LENGTH) break;
    end += ch.length;
  }
  return body.slice(0, end);
}
