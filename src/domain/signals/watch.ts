// Signal watches: an agent in await_signal waits for the next SMS that fits its filters. This decides which
// waiting watch an arriving signal goes to, and which recent signal a new watch picks up from its lookback.
//
// Every inbound SMS is its own signal with its own id, even when it repeats an earlier code word for word: a
// service that resends "482913" has sent a second message, and a second waiter may be owed it. Nothing here
// compares codes across signals.
import type { Category } from "./categories";
import type { JsonValue } from "./judge/json-bounds";
import { readableBody } from "./limits";
import { watchPattern } from "./regex-safety";
import type { WatchMode, WatchParams } from "./watch-input";

export { parseWatchInput } from "./watch-input";
export type { Issue, WatchInput, WatchInputResult, WatchParams } from "./watch-input";

export type SignalMedia = { id: string; content_type: string };

export interface Signal {
  id: string;
  channelId: string;
  from: string;
  body: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  code: string | null;
  codes: string[];
  links: string[];
  /** What kind of message it is, from annotation (CATEGORIES order). */
  categories: Category[];
  /** The message's media (MMS), if any: ids to fetch from /api/media/:id once stored. */
  media?: SignalMedia[];
  /** The once-watch that took this signal; a signal goes to at most one (continuous watches only observe it). */
  consumedBy?: string | null;
  /** Only on a watch's own copy of a signal its judge matched: the judge's result (a watch with result_schema). */
  result?: JsonValue;
}

export interface WatchSpec {
  id: string;
  /** The waiting agent's handle: whether it may receive a signal is decided for it (null: unknown, never served). */
  agent?: string | null;
  createdAt: number;
  channelId?: string | null;
  channelIds?: readonly string[] | null;
  from?: readonly string[] | null;
  categories?: readonly string[] | null;
  contains?: string | null;
  regex?: string | null;
  lookbackS: number;
  expiresAt: number;
  /** "once" (the default) takes one signal and consumes it; "continuous" observes every fitting signal. */
  mode?: WatchMode;
  /** A watch with instructions is judged after its filters pass, before a match is recorded. */
  instructions?: string | null;
  /** The signal this watch took; a once-watch takes at most one signal. */
  matchedSignalId?: string | null;
}

/** A watch from checked parameters: it waits `timeoutS` from `now` and looks back `lookbackS` before it. */
export function newWatch(id: string, params: WatchParams, now: number): WatchSpec {
  const { channelId, channelIds, from, categories, contains, regex, lookbackS, timeoutS, mode, instructions } = params;
  return { id, createdAt: now, channelId, channelIds, from, categories, contains, regex, lookbackS, expiresAt: now + timeoutS * 1000, mode, instructions };
}

/**
 * Whether the signal fits the watch's filters: channel (or one of its channels) and sender (or one of its senders)
 * compared exactly, categories by overlap with the signal's, `contains` as a case-insensitive substring of the body,
 * `regex` case-insensitively against the body, with RE2 (linear time); both read the body's first
 * MAX_SIGNAL_BODY_LENGTH characters, as annotation does. A watch with none of `contains`, `regex` and `categories`
 * is waiting for a code, so it only takes signals that carry a code or a link (a magic link stands in for a code);
 * with any of them set, the agent has said what it wants and any matching SMS counts.
 */
export function signalMatches(watch: WatchSpec, signal: Signal): boolean {
  if (watch.channelId && watch.channelId !== signal.channelId) return false;
  if (watch.channelIds?.length && !watch.channelIds.includes(signal.channelId)) return false;
  if (watch.from?.length && !watch.from.includes(signal.from)) return false;
  const categories = watch.categories?.length ? watch.categories : null;
  if (categories && !(signal.categories ?? []).some((c) => categories.includes(c))) return false;
  const body = readableBody(signal.body);
  if (watch.contains && !body.toLowerCase().includes(watch.contains.toLowerCase())) return false;
  if (watch.regex) {
    const pattern = watchPattern(watch.regex);
    if (!pattern || !pattern.test(body)) return false;
  }
  if (!watch.contains && !watch.regex && !categories) return signal.code !== null || signal.links.length > 0;
  return true;
}

/** The window a watch can take signals from: its lookback before creation, until it expires. */
function inWindow(watch: WatchSpec, signal: Signal): boolean {
  return signal.receivedAt >= watch.createdAt - watch.lookbackS * 1000 && signal.receivedAt < watch.expiresAt;
}

const isOpen = (watch: WatchSpec, now: number) => !watch.matchedSignalId && now < watch.expiresAt;
export const isContinuous = (watch: Pick<WatchSpec, "mode">) => watch.mode === "continuous";
/** A watch with instructions: its filters only choose candidates, each judged before it is matched. */
export const isJudged = (watch: Pick<WatchSpec, "instructions">) => !!watch.instructions;

/**
 * The watch an arriving signal goes to: among open (unexpired, unmatched) once-watches that match it and that
 * `allowed` admits (the caller's policy decision for the watch's agent, asked only of watches that fit), the oldest,
 * by `createdAt` then id, so two agents waiting on the same sender are served in the order they started waiting.
 */
export function pickWatchForSignal(watches: readonly WatchSpec[], signal: Signal, now: number, allowed: (w: WatchSpec) => boolean = () => true): WatchSpec | null {
  if (signal.consumedBy) return null;
  const open = watches.filter((w) => !isContinuous(w) && !isJudged(w) && isOpen(w, now) && inWindow(w, signal) && signalMatches(w, signal) && allowed(w));
  return oldest(open, (w) => w.createdAt);
}

/**
 * The continuous watches that observe an arriving signal: every open one that fits it and that `allowed` admits,
 * oldest first. Observing takes nothing: whether a once-watch consumed the signal does not matter here, so a
 * day-long "watch this number" never starves a wait for a bank code, nor the other way round.
 */
export function watchersOfSignal(watches: readonly WatchSpec[], signal: Signal, now: number, allowed: (w: WatchSpec) => boolean = () => true): WatchSpec[] {
  return watches
    .filter((w) => isContinuous(w) && !isJudged(w) && now < w.expiresAt && inWindow(w, signal) && signalMatches(w, signal) && allowed(w))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/**
 * The watches with instructions an arriving signal is a candidate for: open, in their window, past their filters
 * and admitted by `allowed`, oldest first. A once-watch only while no other watch has taken the signal. Nothing is
 * matched here: each is judged first, and the deterministic watches above never wait for a judgment.
 */
export function watchesToJudge(watches: readonly WatchSpec[], signal: Signal, now: number, allowed: (w: WatchSpec) => boolean = () => true): WatchSpec[] {
  return watches
    .filter((w) => isJudged(w) && (isContinuous(w) || !signal.consumedBy) && isOpen(w, now) && inWindow(w, signal) && signalMatches(w, signal) && allowed(w))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** A new continuous watch's lookback: every signal in [createdAt - lookbackS, createdAt] it fits, oldest first. */
export function signalsForWatcher(signals: readonly Signal[], watch: WatchSpec, allowed: (s: Signal) => boolean = () => true): Signal[] {
  const from = watch.createdAt - watch.lookbackS * 1000;
  return signals
    .filter((s) => s.receivedAt >= from && s.receivedAt <= watch.createdAt && signalMatches(watch, s) && allowed(s))
    .sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1));
}

/**
 * The signal a newly created watch takes from its lookback: unconsumed signals received within
 * [createdAt - lookbackS, createdAt] that match and that `allowed` admits for the watch's agent, the oldest first,
 * so two watches created one after the other take two codes in the order they arrived.
 */
export function pickSignalForWatch(signals: readonly Signal[], watch: WatchSpec, now: number, allowed: (s: Signal) => boolean = () => true): Signal | null {
  if (isContinuous(watch) || isJudged(watch) || !isOpen(watch, now)) return null;
  const from = watch.createdAt - watch.lookbackS * 1000;
  const recent = signals.filter(
    (s) => !s.consumedBy && s.receivedAt >= from && s.receivedAt <= watch.createdAt && signalMatches(watch, s) && allowed(s),
  );
  return oldest(recent, (s) => s.receivedAt);
}

function oldest<T extends { id: string }>(items: T[], time: (item: T) => number): T | null {
  let best: T | null = null;
  for (const item of items) {
    if (best === null || time(item) < time(best) || (time(item) === time(best) && item.id < best.id)) best = item;
  }
  return best;
}
