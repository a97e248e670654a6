// The shapes of signal watches as the API, the MCP tool and await_signal return them.
import type { Category } from "../domain/signals";

export interface SignalView {
  code: string | null;
  codes: string[];
  links: string[];
  /** What kind of message it is (README, "Signal categories"). */
  categories: Category[];
  body: string;
  from: string;
  channel_id: string;
  received_at: string;
  message_id: string;
  /** The message's media (MMS): fetch each from `url` (/api/media/:id) with the agent's key once it is stored. */
  media: { id: string; content_type: string; url: string }[];
}

export type WatchStatus = "waiting" | "matched" | "timed_out" | "cancelled";

export interface WatchView {
  id: string;
  agent_id: string;
  channel_id: string | null;
  status: WatchStatus;
  signal?: SignalView;
  filters: { from: string | null; contains: string | null; regex: string | null; lookback_s: number; timeout_s: number };
  created_at: string;
  expires_at: string;
  settled_at: string | null;
}

/** The result an agent sees from await_signal (and the long-poll / WebSocket push). */
export type WaitResult = { status: "matched"; signal: SignalView } | { status: "waiting" } | { status: "timed_out" } | { status: "cancelled" };

export const waitResult = (w: WatchView): WaitResult => (w.status === "matched" && w.signal ? { status: "matched", signal: w.signal } : { status: w.status === "matched" ? "waiting" : w.status } as WaitResult);
