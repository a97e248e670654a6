// The trust boundary for signal watches: what an agent or a client sends to create one, checked and normalised
// before a watch is stored. One zod shape serves the REST body, the in-turn await_signal tool and the MCP tool, so
// the three cannot drift; kept apart from matching so it can be reviewed alone. Every problem is reported at once.
import { z } from "zod";
import { isAddress } from "../phone";
import { CATEGORIES, type Category } from "./categories";
import {
  DEFAULT_MAX_EVALUATIONS,
  DEFAULT_MAX_MATCHES,
  MAX_CHANNEL_ID_LENGTH,
  MAX_CONTAINS_LENGTH,
  MAX_FROM_LENGTH,
  MAX_INSTRUCTIONS_LENGTH,
  MAX_LOOKBACK_S,
  MAX_MAX_EVALUATIONS,
  MAX_MAX_MATCHES,
  MAX_PATTERN_LENGTH,
  MAX_RESULT_SCHEMA_LENGTH,
  MAX_TIMEOUT_S,
  MAX_TITLE_LENGTH,
  MAX_WATCH_CHANNELS,
  MAX_WATCH_SENDERS,
} from "./limits";
import { checkResultSchema, type Issue } from "./judge/result-schema";
import { checkWatchPattern } from "./regex-safety";

export const DEFAULT_LOOKBACK_S = 300;


export type WatchMode = "once" | "continuous";

/** A checked request: empty filters are null, defaults filled in. */
export interface WatchParams {
  title: string | null;
  /** The one channel watched (its object holds the watch); null with channelIds, or for any signal-mode channel. */
  channelId: string | null;
  /** Two or more channels: the watch lives in the hub and takes signals from these only. */
  channelIds: string[] | null;
  from: string[] | null;
  categories: Category[] | null;
  contains: string | null;
  regex: string | null;
  lookbackS: number;
  timeoutS: number;
  mode: WatchMode;
  /** Continuous watches end after this many matches. */
  maxMatches: number | null;
  /** For the judge: what the agent wants, the JSON Schema its result must fit, and how many candidates it may judge. */
  instructions: string | null;
  resultSchema: Record<string, unknown> | null;
  maxEvaluations: number | null;
}

export type { Issue } from "./judge/result-schema";

const wholeSeconds = (min: number, max: number) => `must be a whole number of seconds from ${min} to ${max}`;
const seconds = (min: number, max: number) => {
  const message = wholeSeconds(min, max);
  return z.number({ error: (i) => (i.input === undefined ? "is required" : message) }).int(message).min(min, message).max(max, message);
};
const text = (max: number) => z.string({ error: "must be a string" }).trim().max(max, `must be at most ${max} characters`);
const address = text(MAX_FROM_LENGTH).refine((s) => s === "" || isAddress(s), "must be an E.164 number (+15551234567), a short code or a sender id");
const count = (min: number, max: number) => z.number({ error: `must be a whole number from ${min} to ${max}` }).int(`must be a whole number from ${min} to ${max}`).min(min).max(max);
const channelId = text(MAX_CHANNEL_ID_LENGTH);

/** The fields of a watch, each checked alone. Descriptions are what a model reads in the tool's schema. */
export const watchFields = {
  title: text(MAX_TITLE_LENGTH).nullish().describe("A short label for the watch (\"bank code\"); shown back to you when the watch resumes the conversation."),
  channel_id: channelId.nullish().describe("The channel to watch; omit to watch every signal-mode channel."),
  channel_ids: z
    .array(channelId.min(1, "must not be empty"), { error: "must be a list of channel ids" })
    .min(1, "must name at least one channel")
    .max(MAX_WATCH_CHANNELS, `must name at most ${MAX_WATCH_CHANNELS} channels`)
    .nullish()
    .describe("Several signal-mode channels to watch at once (instead of channel_id)."),
  from: z
    .union([address, z.array(address.refine((s) => s !== "", "must not be empty")).min(1, "must name at least one sender").max(MAX_WATCH_SENDERS, `must name at most ${MAX_WATCH_SENDERS} senders`)], {
      error: "must be a sender or a list of senders",
    })
    .nullish()
    .describe("Only messages from this sender, or from any of these: E.164 numbers (+15551234567), short codes or sender ids."),
  categories: z
    .array(z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(", ")}` }), { error: "must be a list of categories" })
    .min(1, "must name at least one category")
    .max(CATEGORIES.length)
    .nullish()
    .describe(`Only messages in any of these categories: ${CATEGORIES.join(", ")}.`),
  contains: text(MAX_CONTAINS_LENGTH).nullish().describe("Only messages containing this text (case-insensitive)."),
  regex: z
    .string({ error: "must be a string" })
    .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`)
    .nullish()
    .describe(
      "Only messages matching this regular expression, case-insensitively, in RE2 syntax: \\d, \\b, classes, groups and {n,m} work; " +
        'lookahead, lookbehind and backreferences do not. "." takes every message.',
    ),
  lookback_s: seconds(0, MAX_LOOKBACK_S).nullish().describe(`Also accept messages received up to this many seconds ago (default ${DEFAULT_LOOKBACK_S}).`),
  timeout_s: seconds(1, MAX_TIMEOUT_S).describe(`How long the watch waits, in seconds (at most ${MAX_TIMEOUT_S}, a week).`),
  mode: z
    .enum(["once", "continuous"], { error: 'must be "once" or "continuous"' })
    .nullish()
    .describe('"once" (default): the watch takes one message and ends. "continuous": it records every matching message until timeout_s or max_matches.'),
  max_matches: count(1, MAX_MAX_MATCHES).nullish().describe(`Continuous watches end after this many matches (default ${DEFAULT_MAX_MATCHES}).`),
  instructions: text(MAX_INSTRUCTIONS_LENGTH).nullish().describe("Optional: what you are waiting for, in words; each candidate that passes the filters is judged against it."),
  // Checked as JSON Schema (draft-07, size, depth, safe keywords) by checkWatchRules.
  result_schema: z
    .record(z.string(), z.unknown(), { error: "must be a JSON Schema object" })
    .nullish()
    .describe(`Optional, with instructions: the JSON Schema (draft-07, at most ${MAX_RESULT_SCHEMA_LENGTH} characters) the judge's result must fit; the match carries the result.`),
  max_evaluations: count(1, MAX_MAX_EVALUATIONS).nullish().describe(`With instructions: how many candidates may be judged (default ${DEFAULT_MAX_EVALUATIONS}).`),
};

type Raw = Record<string, unknown>;
const given = (v: unknown) => v !== undefined && v !== null && v !== "";

/**
 * The rules between fields, run even when a field failed on its own so one answer lists every problem. The value
 * may be anything here (a field can be the wrong type), so each rule looks before it reads.
 */
export function checkWatchRules(raw: Raw, add: (issue: Issue) => void) {
  if (given(raw.channel_id) && given(raw.channel_ids)) add({ path: "channel_ids", message: "give channel_id or channel_ids, not both" });
  if (typeof raw.regex === "string" && raw.regex !== "") {
    const check = checkWatchPattern(raw.regex);
    if (!check.ok) add({ path: "regex", message: check.message });
  }
  if (given(raw.max_matches) && raw.mode !== "continuous") add({ path: "max_matches", message: 'is for mode "continuous" only' });
  for (const key of ["result_schema", "max_evaluations"]) {
    if (given(raw[key]) && !given(raw.instructions)) add({ path: key, message: "is for a watch with instructions only" });
  }
  if (isRecord(raw.result_schema)) {
    const schema = checkResultSchema(raw.result_schema);
    if (!schema.ok) for (const issue of schema.issues) add(issue);
  }
}

export const isRecord = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Adds checkWatchRules to an object schema built from watchFields (and whatever else a caller adds). */
export function withWatchRules<T extends z.ZodType<Raw>>(schema: T): T {
  return schema.superRefine((value, ctx) => checkWatchRules(value, (i) => ctx.addIssue({ code: "custom", path: i.path ? [i.path] : [], message: i.message })), {
    when: (payload) => isRecord(payload.value),
  }) as unknown as T;
}

/** The watch request on its own: the fields, strictly (a misspelt filter is an error, not a wider watch). */
export const WatchInput = withWatchRules(z.object(watchFields).strict());
export type WatchInput = z.input<typeof WatchInput>;

/** The REST body: the watch fields plus whose watch it is (an agent key's own agent when absent). */
export const WatchRequest = withWatchRules(z.object({ agent_id: z.string().min(1).max(100).optional().describe("The agent the watch is for. Required with the admin token; with an agent key it defaults to (and must be) the key's agent."), ...watchFields }).strict());
export type WatchRequest = z.input<typeof WatchRequest>;
type CheckedFields = z.output<z.ZodObject<typeof watchFields>>;

const blank = <T>(v: T | null | undefined | ""): T | null => (v === undefined || v === null || v === "" ? null : v);

/** The normalised parameters of fields that passed the schema. */
export function toWatchParams(v: CheckedFields): WatchParams {
  const channels = v.channel_ids ? [...new Set(v.channel_ids)] : null;
  const from = v.from === undefined || v.from === null || v.from === "" ? null : [...new Set(typeof v.from === "string" ? [v.from] : v.from)];
  const continuous = v.mode === "continuous";
  const judged = blank(v.instructions);
  return {
    title: blank(v.title),
    channelId: blank(v.channel_id) ?? (channels?.length === 1 ? channels[0]! : null),
    channelIds: channels && channels.length > 1 ? channels : null,
    from,
    categories: v.categories ? [...new Set(v.categories)] : null,
    contains: blank(v.contains),
    // The pattern is kept untrimmed: spaces may be part of it.
    regex: blank(v.regex),
    lookbackS: v.lookback_s ?? DEFAULT_LOOKBACK_S,
    timeoutS: v.timeout_s,
    mode: continuous ? "continuous" : "once",
    maxMatches: continuous ? (v.max_matches ?? DEFAULT_MAX_MATCHES) : null,
    instructions: judged,
    resultSchema: judged ? (v.result_schema ?? null) : null,
    maxEvaluations: judged ? (v.max_evaluations ?? DEFAULT_MAX_EVALUATIONS) : null,
  };
}

/**
 * zod's issues in the API's shape: a dotted path per problem, one per unknown key, and for a field that may be one
 * thing or a list (`from`), the problems of the shape that was sent rather than "neither shape".
 */
export function issuesOf(error: { issues: readonly z.core.$ZodIssue[] }, prefix: PropertyKey[] = []): Issue[] {
  return error.issues.flatMap((i): Issue[] => {
    const path = [...prefix, ...i.path];
    if (i.code === "unrecognized_keys") return i.keys.map((k) => ({ path: [...path, k].join("."), message: "is not a field of a watch" }));
    if (i.code === "invalid_union") {
      const sent = i.errors.find((branch) => !branch.some((b) => b.code === "invalid_type" && b.path.length === 0));
      if (sent) return issuesOf({ issues: sent }, path);
    }
    return [{ path: path.join("."), message: i.message }];
  });
}

export type WatchInputResult = { ok: true; value: WatchParams } | { ok: false; issues: Issue[] };

/** Accepts any JSON value; returns every problem at once so an agent can fix its call in one go. */
export function parseWatchInput(input: unknown): WatchInputResult {
  if (!isRecord(input)) return { ok: false, issues: [{ path: "", message: "expected an object" }] };
  const parsed = WatchInput.safeParse(input);
  return parsed.success ? { ok: true, value: toWatchParams(parsed.data) } : { ok: false, issues: issuesOf(parsed.error) };
}

/** Parameters stored by earlier versions (one `from`, no mode) read as today's. */
export function storedParams(json: string): WatchParams {
  const p = JSON.parse(json) as Partial<WatchParams> & { from?: string | string[] | null };
  return {
    title: p.title ?? null,
    channelId: p.channelId ?? null,
    channelIds: p.channelIds ?? null,
    from: typeof p.from === "string" ? [p.from] : (p.from ?? null),
    categories: p.categories ?? null,
    contains: p.contains ?? null,
    regex: p.regex ?? null,
    lookbackS: p.lookbackS ?? 0,
    timeoutS: p.timeoutS ?? 0,
    mode: p.mode ?? "once",
    maxMatches: p.maxMatches ?? null,
    instructions: p.instructions ?? null,
    resultSchema: p.resultSchema ?? null,
    maxEvaluations: p.maxEvaluations ?? null,
  };
}
