// The shapes of signal watches as the API, the MCP tool and await_signal return them.
import type { SettlementSignal } from "../domain/signals";
import type { Evaluation } from "../domain/signals/judge";

/** A signal as the API shows it (the same shape a settlement carries to the conversation it resumes). */
export type SignalView = SettlementSignal;

/** completed: a continuous watch that recorded its max_matches. */
export type WatchStatus = "waiting" | "matched" | "timed_out" | "cancelled" | "completed";

/** One match of a continuous watch, numbered from 1 in the order the watch saw them. */
export interface MatchView {
  seq: number;
  signal: SignalView;
  matched_at: string;
}

export interface WatchView {
  id: string;
  agent_id: string;
  channel_id: string | null;
  channel_ids: string[] | null;
  title: string | null;
  mode: "once" | "continuous";
  status: WatchStatus;
  /** A once-watch's signal, when it matched. */
  signal?: SignalView;
  /** Continuous watches: matches so far, the most they take, and (on a read with `after`) the ones after it. */
  match_count: number;
  max_matches: number | null;
  matches?: MatchView[];
  /** Bound to an SMS conversation: when it settles (each match, for a continuous watch) the conversation resumes. */
  resumes: boolean;
  filters: {
    from: string | string[] | null;
    categories: string[] | null;
    contains: string | null;
    regex: string | null;
    lookback_s: number;
    timeout_s: number;
    instructions: string | null;
  };
  /**
   * A watch with instructions: the candidates its judge has evaluated, in order. Once `evaluation_count` reaches
   * `max_evaluations` the watch judges no more (`stopped`) and waits, unmatched, until it times out or is cancelled.
   */
  judge?: { max_evaluations: number; evaluation_count: number; stopped: boolean; evaluations: Evaluation[] };
  created_at: string;
  expires_at: string;
  settled_at: string | null;
}

/** The result an agent sees from await_signal (and the long-poll / WebSocket push) for a once-watch. */
export type WaitResult = { status: "matched"; signal: SignalView } | { status: "waiting" } | { status: "timed_out" } | { status: "cancelled" };

export const waitResult = (w: WatchView): WaitResult => (w.status === "matched" && w.signal ? { status: "matched", signal: w.signal } : { status: w.status === "matched" ? "waiting" : w.status } as WaitResult);

/** A continuous watch read from a cursor: its next match after it, or that it still waits, or how it ended. */
export type NextMatch =
  | { status: "matched"; seq: number; signal: SignalView }
  | { status: "waiting"; match_count: number }
  | { status: "timed_out" | "cancelled" | "completed"; match_count: number };

export function nextMatch(w: WatchView, after: number): NextMatch {
  const next = w.matches?.find((m) => m.seq > after);
  if (next) return { status: "matched", seq: next.seq, signal: next.signal };
  if (w.status === "waiting" || w.status === "matched") return { status: "waiting", match_count: w.match_count };
  return { status: w.status, match_count: w.match_count };
}
