// The trust boundary for signal watches: what an agent sends to await_signal, checked and normalised before a
// watch is stored. Kept apart from matching so it can be reviewed alone.
import { isAddress } from "../phone";
import { MAX_CHANNEL_ID_LENGTH, MAX_CONTAINS_LENGTH, MAX_FROM_LENGTH } from "./limits";
import { checkWatchPattern } from "./regex-safety";

export const DEFAULT_LOOKBACK_S = 300;
export const MAX_LOOKBACK_S = 86_400;
export const MAX_TIMEOUT_S = 86_400;

/** The request shape, as agents write it (snake_case, from JSON). */
export interface WatchInput {
  channel_id?: string | null;
  from?: string | null;
  contains?: string | null;
  regex?: string | null;
  lookback_s?: number | null;
  timeout_s: number;
}

/** A checked request: empty filters are null, the lookback has its default. */
export interface WatchParams {
  channelId: string | null;
  from: string | null;
  contains: string | null;
  regex: string | null;
  lookbackS: number;
  timeoutS: number;
}

export interface Issue {
  path: string;
  message: string;
}

export type WatchInputResult = { ok: true; value: WatchParams } | { ok: false; issues: Issue[] };

/** Accepts any JSON value; returns every problem at once so an agent can fix its call in one go. */
export function validateWatchInput(input: unknown): WatchInputResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: "", message: "expected an object" }] };
  }
  const raw = input as Record<string, unknown>;
  const issues: Issue[] = [];
  const string = (key: keyof WatchInput): string | null => {
    const v = raw[key];
    if (v === undefined || v === null) return null;
    if (typeof v === "string") return v;
    issues.push({ path: key, message: "must be a string" });
    return null;
  };
  const text = (key: keyof WatchInput, max: number): string | null => {
    const trimmed = string(key)?.trim() ?? "";
    if (trimmed.length > max) issues.push({ path: key, message: `must be at most ${max} characters` });
    return trimmed === "" ? null : trimmed;
  };
  const seconds = (key: keyof WatchInput, min: number, max: number, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (v === undefined) {
      issues.push({ path: key, message: "is required" });
      return 0;
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      issues.push({ path: key, message: `must be a whole number of seconds from ${min} to ${max}` });
      return 0;
    }
    return v;
  };

  const channelId = text("channel_id", MAX_CHANNEL_ID_LENGTH);
  const from = text("from", MAX_FROM_LENGTH);
  if (from !== null && !isAddress(from)) {
    issues.push({ path: "from", message: "must be an E.164 number (+15551234567), a short code or a sender id" });
  }
  const contains = text("contains", MAX_CONTAINS_LENGTH);
  // The pattern is kept untrimmed: spaces may be part of it.
  const regex = string("regex") || null;
  if (regex !== null) {
    const check = checkWatchPattern(regex);
    if (!check.ok) issues.push({ path: "regex", message: check.message });
  }
  const lookbackS = seconds("lookback_s", 0, MAX_LOOKBACK_S, DEFAULT_LOOKBACK_S);
  const timeoutS = seconds("timeout_s", 1, MAX_TIMEOUT_S);

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { channelId, from, contains, regex, lookbackS, timeoutS } };
}
