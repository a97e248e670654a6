// Signal watches: the request is the signals service's own schema (WatchRequest); the answers are described here
// and tied to the service's types at compile time (Same below), so a change to either fails the type-check.
import { z } from "zod";
import { AwaitSignalInput, type AwaitSignalResult } from "../../agent/await-signal";
import { CATEGORIES } from "../../domain/signals";
import { WatchRequest } from "../../signals/service";
import type { SignalView, WaitResult, WatchView } from "../../signals/types";
import { component, Id, Time } from "./common";

export const WatchRequestBody = WatchRequest.meta({ id: "WatchRequest" });
export const AwaitSignalArguments = AwaitSignalInput.meta({ id: "AwaitSignalInput", description: "The await_signal tool's arguments (MCP tools/call)." });

export const WatchParams = z.object({ id: z.string().describe("The watch's id (wt_…).") });
export const ListWatchesQuery = z.object({ channel_id: z.string().min(1).optional().describe("The channel whose watches to list; absent: watches on any channel.") });
export const WaitQuery = z.object({ wait: z.coerce.number().min(0).max(60).default(0).describe("Seconds to wait for the watch to settle (a long-poll).") });

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
  }),
);

export const Watch = component(
  "Watch",
  z.object({
    id: Id("wt", "watch"),
    agent_id: z.string(),
    channel_id: z.string().nullable(),
    status: z.enum(["waiting", "matched", "timed_out", "cancelled"]),
    signal: Signal.optional(),
    filters: z.object({ from: z.string().nullable(), contains: z.string().nullable(), regex: z.string().nullable(), lookback_s: z.number().int().min(0), timeout_s: z.number().int().min(1) }),
    created_at: Time,
    expires_at: Time,
    settled_at: Time.nullable(),
  }),
);

const Matched = z.object({ status: z.literal("matched"), signal: Signal });
const Unmatched = z.object({ status: z.enum(["waiting", "timed_out", "cancelled"]) });
const Wait = z.union([Matched, Unmatched]);

export const WatchPush = component(
  "WatchPush",
  z.union([Matched.extend({ id: z.string() }), Unmatched.extend({ id: z.string() })]),
  "What the watch WebSocket sends: once when it settles (at once if it already has).",
);

export const AwaitSignalOutcome = component(
  "AwaitSignalResult",
  z.union([
    Matched.extend({ watch_id: z.string() }),
    Unmatched.extend({ watch_id: z.string() }),
    z.object({ status: z.literal("error"), message: z.string() }),
  ]),
  "The await_signal tool's result (MCP structuredContent).",
);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const tied: [Same<z.output<typeof Signal>, SignalView>, Same<z.output<typeof Watch>, WatchView>, Same<z.output<typeof Wait>, WaitResult>, Same<z.output<typeof AwaitSignalOutcome>, AwaitSignalResult>] = [true, true, true, true];
void tied;

const at = "2026-01-05T09:00:00.000Z";
const watch = {
  id: "wt_4h8m2q6t0x3b7f1k5n9r",
  agent_id: "ag_3f8h1k5m9p2r6t0v4x7z",
  channel_id: "ch_9c4e7g1j5m8p2r6t0w3y5a8c1e4g7j",
  status: "waiting",
  filters: { from: null, contains: null, regex: "\\b\\d{6}\\b", lookback_s: 300, timeout_s: 120 },
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
  request: { agent_id: watch.agent_id, channel_id: watch.channel_id, regex: "\\b\\d{6}\\b", timeout_s: 120 },
  watch,
  matched: { ...watch, status: "matched", signal, settled_at: signal.received_at },
} as const;
