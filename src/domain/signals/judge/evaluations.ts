// A watch's record of its judge's work: one evaluation per candidate judged, kept on the watch so an agent can see
// why a message it expected did not match. The cap bounds what one watch can spend on model calls: once a watch
// has judged `max_evaluations` candidates it judges no more, and keeps waiting until it times out or is cancelled.
import type { Judgment } from "./answer";

export interface Evaluation {
  /** The candidate signal's id (its message id). */
  signal_id: string;
  outcome: Judgment["outcome"];
  /** Why an invalid or failed judgment counted as no match, or why a match was not taken; null otherwise. */
  reason: string | null;
  at: string;
}

export function evaluationOf(signalId: string, judgment: Judgment, now: number): Evaluation {
  const reason = judgment.outcome === "invalid" || judgment.outcome === "failed" ? judgment.reason : null;
  return { signal_id: signalId, outcome: judgment.outcome, reason, at: new Date(now).toISOString() };
}

/** Whether a watch that has judged `done` candidates may judge another. */
export const mayJudge = (done: number, max: number): boolean => done < max;
