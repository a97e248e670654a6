// Signal watches: the request is the one watch schema the REST body, the agent tool and MCP all parse with
// (src/domain/signals/watch-input.ts); the answers are described here and tied to the service's types at compile
// time (Same below), so a change to either fails the type-check.
import { z } from "zod";
import { AwaitSignalInput, type AwaitSignalResult } from "../../agent/await-signal";
import { CATEGORIES, WatchRequest } from "../../domain/signals";
import type { NextMatch, SignalView, WaitResult, WatchView } from "../../signals/types";
import { component, Id, Time } from "./common";

export const WatchRequestBody = WatchRequest.meta({ id: "WatchRequest" });
export const AwaitSignalArguments = AwaitSignalInput.meta({ id: "AwaitSignalInput", description: "The await_signal tool's arguments (MCP tools/call)." });

export const WatchParams = z.object({ id: z.string().describe("The watch's id (wt_…).") });
export const ListWatchesQuery = z.object({ channel_id: z.string().min(1).optional().describe("The channel whose watches to list; absent: watches on any channel.") });
// Digits only: a coerced number would read "" as 0 and "0x10" as 16. 15 digits stay a safe integer. The channel
// object reads the WebSocket's cursor again from the URL this has passed, with Number(), which then agrees.
const cursor = z
  .string()
  .regex(/^\d{1,15}$/, "after must be a non-negative decimal integer (digits only, at most 15)")
  .transform(Number)
  .optional()
  .describe("Continuous watches: the seq of the last match the client has; matches after it are returned (at most 100).");
export const CursorQuery = z.object({ after: cursor });
export const WaitQuery = z.object({ wait: z.coerce.number().min(0).max(60).default(0).describe("Seconds to wait for the watch to settle (a long-poll)."), after: cursor });

export const Signal = component(
  "Signal",
  z.object({
    code: z.string().nullable().describe("The one-time code found in the message, if any."),
    codes: z.array(z.string()),
    links: z.array(z.string()),
    categories: z.array(z.enum(CATEGORIES)).describe('What kind of message it is; README, "Signal categories", says what each means.'),
    body: z.string(),
    from: z.string(),
    channel_id: z.string(),
    received_at: Time,
    message_id: z.string(),
    media: z
      .array(z.object({ id: z.string(), content_type: z.string(), url: z.string().describe("/api/media/{id}") }))
      .describe("The message's media (MMS): fetch each from its url with the agent's key once stored."),
    result: z.json().optional().describe("Only on a match of a watch with instructions and a result_schema: the judge's result, valid against that schema."),
  }),
);

const Evaluation = z.object({
  signal_id: z.string().describe("The candidate message."),
  outcome: z.enum(["matched", "rejected", "invalid", "failed"]).describe("invalid (an answer that could not be used) and failed (no answer) count as no match."),
  reason: z.string().nullable().describe("Why an invalid or failed judgment counted as no match, or why a match was not taken."),
  at: Time,
});

const Match = z.object({ seq: z.number().int().min(1), signal: Signal, matched_at: Time });

export const Watch = component(
  "Watch",
  z.object({
    id: Id("wt", "watch"),
    agent_id: z.string(),
    channel_id: z.string().nullable().describe("The channel whose object holds the watch; null: the hub (any signal-mode channel, or channel_ids)."),
    channel_ids: z.array(z.string()).nullable(),
    title: z.string().nullable(),
    mode: z.enum(["once", "continuous"]),
    status: z.enum(["waiting", "matched", "timed_out", "cancelled", "completed"]).describe("completed: a continuous watch that recorded max_matches matches."),
    signal: Signal.optional().describe("A once-watch's signal, once matched."),
    match_count: z.number().int().min(0),
    max_matches: z.number().int().nullable(),
    matches: z.array(Match).optional().describe("A continuous watch read with ?after=SEQ: its matches after SEQ (at most 100)."),
    resumes: z.boolean().describe("Started in an SMS conversation: each settlement resumes it."),
    judge: z
      .object({ max_evaluations: z.number().int().min(1), evaluation_count: z.number().int().min(0), stopped: z.boolean(), evaluations: z.array(Evaluation) })
      .optional()
      .describe("A watch with instructions: its judge's evaluations, in order. stopped: max_evaluations reached; it judges no more and waits until it ends."),
    filters: z.object({
      from: z.union([z.string(), z.array(z.string())]).nullable(),
      categories: z.array(z.string()).nullable(),
      contains: z.string().nullable(),
      regex: z.string().nullable(),
      lookback_s: z.number().int().min(0),
      timeout_s: z.number().int().min(1),
      instructions: z.string().nullable(),
    }),
    created_at: Time,
    expires_at: Time,
    settled_at: Time.nullable(),
  }),
);

const Matched = z.object({ status: z.literal("matched"), signal: Signal });
const Unmatched = z.object({ status: z.enum(["waiting", "timed_out", "cancelled"]) });
const Wait = z.union([Matched, Unmatched]);
const NextMatched = z.object({ status: z.literal("matched"), seq: z.number().int().min(1), signal: Signal });
const Ended = z.object({ status: z.enum(["waiting", "timed_out", "cancelled", "completed"]), match_count: z.number().int().min(0) });
const Next = z.union([NextMatched, Ended]);

export const WatchPush = component(
  "WatchPush",
  z.union([Matched.extend({ id: z.string() }), NextMatched.extend({ id: z.string() }), Unmatched.extend({ id: z.string() }), Ended.extend({ id: z.string() })]),
  "What the watch WebSocket sends. A once-watch: its state at once, then its result when it settles. A continuous watch: its matches after ?after=SEQ, its state, then each new match and its end.",
);

const resumes = { resumes: z.literal(true).optional().describe("The watch resumes the SMS conversation the call came from.") };
const continuous = { watch_id: z.string(), mode: z.literal("continuous"), ...resumes };
export const AwaitSignalOutcome = component(
  "AwaitSignalResult",
  z.union([
    Matched.extend({ watch_id: z.string(), ...resumes }),
    // One object per status: TypeScript then matches each against its own branch of AwaitSignalResult.
    z.object({ status: z.literal("waiting"), watch_id: z.string(), ...resumes }),
    z.object({ status: z.literal("timed_out"), watch_id: z.string(), ...resumes }),
    z.object({ status: z.literal("cancelled"), watch_id: z.string(), ...resumes }),
    NextMatched.extend(continuous),
    Ended.extend(continuous),
    z.object({ status: z.literal("error"), message: z.string() }),
  ]),
  "The await_signal tool's result (MCP structuredContent). In a conversation a long wait returns {status: \"waiting\", watch_id, resumes: true} and resumes the conversation when it settles.",
);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const tied: [
  Same<z.output<typeof Signal>, SignalView>,
  Same<z.output<typeof Watch>, WatchView>,
  Same<z.output<typeof Wait>, WaitResult>,
  Same<z.output<typeof Next>, NextMatch>,
  Same<z.output<typeof AwaitSignalOutcome>, AwaitSignalResult>,
] = [true, true, true, true, true];
void tied;

const at = "2026-01-05T09:00:00.000Z";
const watch = {
  id: "wt_4h8m2q6t0x3b7f1k5n9r",
  agent_id: "ag_3f8h1k5m9p2r6t0v4x7z",
  channel_id: "ch_9c4e7g1j5m8p2r6t0w3y5a8c1e4g7j",
  channel_ids: null,
  title: "bank code",
  mode: "once",
  status: "waiting",
  match_count: 0,
  max_matches: null,
  resumes: false,
  filters: { from: null, categories: null, contains: null, regex: "\\b\\d{6}\\b", lookback_s: 300, timeout_s: 120, instructions: null },
  created_at: at,
  expires_at: "2026-01-05T09:02:00.000Z",
  settled_at: null,
};
const signal = {
  code: "482913",
  codes: ["482913"],
  links: [],
  categories: ["verification_code"],
  body: "Your verification code is 482913",
  from: "22000",
  channel_id: watch.channel_id,
  received_at: "2026-01-05T09:00:20.000Z",
  message_id: "msg_6d2h8k4n0q7s3v9x1z5b",
  media: [],
};
/** Examples for the reference (each is checked against its schema by test/integration/openapi.test.ts). */
export const signalExamples = {
  request: { agent_id: watch.agent_id, title: "bank code", channel_id: watch.channel_id, regex: "\\b\\d{6}\\b", timeout_s: 120 },
  watch,
  matched: { ...watch, status: "matched", signal, settled_at: signal.received_at },
} as const;
