// Signal watches: an agent in await_signal waits for the next SMS that fits its filters. This decides which
// waiting watch an arriving signal goes to, and which recent signal a new watch picks up from its lookback.
//
// Every inbound SMS is its own signal with its own id, even when it repeats an earlier code word for word: a
// service that resends "482913" has sent a second message, and a second waiter may be owed it. Nothing here
// compares codes across signals.
import type { Category } from "./categories";
import { readableBody } from "./limits";
import { watchPattern } from "./regex-safety";
import type { WatchParams } from "./watch-input";

export { validateWatchInput } from "./watch-input";
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
  /** The watch that took this signal; a signal goes to at most one watch. */
  consumedBy?: string | null;
}

export interface WatchSpec {
  id: string;
  /** The waiting agent's handle: whether it may receive a signal is decided for it (null: unknown, never served). */
  agent?: string | null;
  createdAt: number;
  channelId?: string | null;
  from?: string | null;
  contains?: string | null;
  regex?: string | null;
  lookbackS: number;
  expiresAt: number;
  /** The signal this watch took; a watch takes at most one signal. */
  matchedSignalId?: string | null;
}

/** A watch from checked parameters: it waits `timeoutS` from `now` and looks back `lookbackS` before it. */
export function newWatch(id: string, params: WatchParams, now: number): WatchSpec {
  const { channelId, from, contains, regex, lookbackS, timeoutS } = params;
  return { id, createdAt: now, channelId, from, contains, regex, lookbackS, expiresAt: now + timeoutS * 1000 };
}

/**
 * Whether the signal fits the watch's filters: channel and sender compared exactly, `contains` as a
 * case-insensitive substring of the body, `regex` case-insensitively against the body, with RE2 (linear time);
 * both read the body's first MAX_SIGNAL_BODY_LENGTH characters, as annotation does. A watch with neither
 * `contains` nor `regex` is waiting for a code, so it only takes signals that carry a code or a link (a magic
 * link stands in for a code); with either set, the agent has said what it wants and any matching SMS counts.
 */
export function signalMatches(watch: WatchSpec, signal: Signal): boolean {
  if (watch.channelId && watch.channelId !== signal.channelId) return false;
  if (watch.from && watch.from !== signal.from) return false;
  const body = readableBody(signal.body);
  if (watch.contains && !body.toLowerCase().includes(watch.contains.toLowerCase())) return false;
  if (watch.regex) {
    const pattern = watchPattern(watch.regex);
    if (!pattern || !pattern.test(body)) return false;
  }
  if (!watch.contains && !watch.regex) return signal.code !== null || signal.links.length > 0;
  return true;
}

/** The window a watch can take signals from: its lookback before creation, until it expires. */
function inWindow(watch: WatchSpec, signal: Signal): boolean {
  return signal.receivedAt >= watch.createdAt - watch.lookbackS * 1000 && signal.receivedAt < watch.expiresAt;
}

const isOpen = (watch: WatchSpec, now: number) => !watch.matchedSignalId && now < watch.expiresAt;

/**
 * The watch an arriving signal goes to: among open (unexpired, unmatched) watches that match it and that `allowed`
 * admits (the caller's policy decision for the watch's agent, asked only of watches that fit), the oldest, by
 * `createdAt` then id, so two agents waiting on the same sender are served in the order they started waiting.
 */
export function pickWatchForSignal(watches: readonly WatchSpec[], signal: Signal, now: number, allowed: (w: WatchSpec) => boolean = () => true): WatchSpec | null {
  if (signal.consumedBy) return null;
  const open = watches.filter((w) => isOpen(w, now) && inWindow(w, signal) && signalMatches(w, signal) && allowed(w));
  return oldest(open, (w) => w.createdAt);
}

/**
 * The signal a newly created watch takes from its lookback: unconsumed signals received within
 * [createdAt - lookbackS, createdAt] that match and that `allowed` admits for the watch's agent, the oldest first,
 * so two watches created one after the other take two codes in the order they arrived.
 */
export function pickSignalForWatch(signals: readonly Signal[], watch: WatchSpec, now: number, allowed: (s: Signal) => boolean = () => true): Signal | null {
  if (!isOpen(watch, now)) return null;
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
