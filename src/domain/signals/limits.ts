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
/** Characters in a watch's `title`: a label the agent reads back when the watch resumes its conversation. */
export const MAX_TITLE_LENGTH = 100;
/** Channels in one watch's `channel_ids`, and senders in one watch's `from` list. */
export const MAX_WATCH_CHANNELS = 10;
export const MAX_WATCH_SENDERS = 20;
/** Characters in a watch's `instructions` for the judge, and in its `result_schema` written as JSON. */
export const MAX_INSTRUCTIONS_LENGTH = 2000;
export const MAX_RESULT_SCHEMA_LENGTH = 4096;
/** How long a watch may wait: a week, on its object's alarm. */
export const MAX_TIMEOUT_S = 604_800;
/** How far back a new watch may look (signals are kept a day). */
export const MAX_LOOKBACK_S = 86_400;
/** Matches one continuous watch records before it ends (each is a stored copy of an SMS). */
export const DEFAULT_MAX_MATCHES = 100;
export const MAX_MAX_MATCHES = 1000;
/** Candidates the judge may evaluate for one watch. */
export const DEFAULT_MAX_EVALUATIONS = 50;
export const MAX_MAX_EVALUATIONS = 500;

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
