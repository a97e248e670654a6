// await_signal: an agent waits for an SMS (typically a one-time code) on a signal-mode channel. The same call backs
// the AI SDK tool every turn gets and the /mcp tool external agents use, so both behave alike.
import { tool } from "ai";
import { z } from "zod";
import { MAX_CHANNEL_ID_LENGTH, MAX_CONTAINS_LENGTH, MAX_FROM_LENGTH, MAX_PATTERN_LENGTH } from "../domain/signals";
import { AppError } from "../lib/errors";
import { awaitSignal, cancelWatch, type Principal } from "../signals/service";
import { waitResult, type WaitResult } from "../signals/types";

/** The most one call waits: a turn holds a Queue consumer (15 min wall clock), an MCP call an open request. */
export const MAX_CALL_WAIT_S = 600;

export const AWAIT_SIGNAL_DESCRIPTION =
  "Wait for a text message (such as a one-time verification code) to arrive on a signal-mode SMS channel, and get " +
  "its text, the code found in it and any links. Messages that arrived in the last lookback_s seconds (default 300) " +
  "count too, so a code that came before the call is not missed. One call waits at most 600 seconds.";

export const AwaitSignalInput = z.object({
  channel_id: z.string().min(1).max(MAX_CHANNEL_ID_LENGTH).optional().describe("The signal-mode channel to watch; omit to watch every signal-mode channel."),
  from: z.string().max(MAX_FROM_LENGTH).optional().describe("Only messages from this sender: an E.164 number (+15551234567), a short code or a sender id."),
  contains: z.string().max(MAX_CONTAINS_LENGTH).optional().describe("Only messages containing this text (case-insensitive)."),
  regex: z
    .string()
    .max(MAX_PATTERN_LENGTH)
    .optional()
    .describe(
      "Only messages matching this regular expression, case-insensitively, in RE2 syntax: \\d, \\b, classes, groups and " +
        "{n,m} work; lookahead, lookbehind and backreferences do not.",
    ),
  lookback_s: z.number().int().min(0).max(86_400).optional().describe("Also accept messages received up to this many seconds ago (default 300)."),
  timeout_s: z.number().int().min(1).max(86_400).describe(`How long to wait, in seconds (one call waits at most ${MAX_CALL_WAIT_S}).`),
});
export type AwaitSignalInput = z.infer<typeof AwaitSignalInput>;

export type AwaitSignalResult = (WaitResult & { watch_id: string }) | { status: "error"; message: string };

/**
 * The time a turn has, shared by every wait inside it: each call waits at most what is left before `deadline`, less
 * REPLY_RESERVE_MS for the model to answer and the reply to be sent. Without one (an MCP call), a call is bounded
 * by MAX_CALL_WAIT_S alone.
 */
export interface TurnBudget {
  deadline: number;
  now: () => number;
}
export const REPLY_RESERVE_MS = 60_000;

/**
 * Creates the agent's watch and waits on it. The watch lives no longer than the call waits, so a watch nobody is
 * waiting on any more never takes a later message that the agent's next call (through its lookback) should get.
 * Mistakes in the request come back as `{status:"error"}` so the model can read them and fix its call.
 */
export async function awaitSignalFor(env: Env, who: Extract<Principal, { kind: "agent" }>, input: AwaitSignalInput, budget?: TurnBudget): Promise<AwaitSignalResult> {
  const leftS = budget ? Math.floor((budget.deadline - REPLY_RESERVE_MS - budget.now()) / 1000) : MAX_CALL_WAIT_S;
  if (leftS < 1) return { status: "error", message: "This turn has no time left to wait for a message; answer without it." };
  const waitS = Math.min(input.timeout_s, MAX_CALL_WAIT_S, leftS);
  try {
    const result = await awaitSignal(env, who, { ...input, agent_id: who.agentId, timeout_s: waitS }, waitS * 1000);
    if (result.status !== "waiting") return result;
    // The wait ran out a moment before the watch's own expiry fired; settle it now (a match may just have won).
    const settled = waitResult(await cancelWatch(env, who, result.watch_id));
    return { watch_id: result.watch_id, ...(settled.status === "matched" ? settled : { status: "timed_out" }) };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { status: "error", message: err.message };
    throw err;
  }
}

/** The AI SDK tool, bound to the agent whose turn is running. */
export function awaitSignalTool(env: Env, agentId: string, budget?: TurnBudget) {
  return tool({
    description: AWAIT_SIGNAL_DESCRIPTION,
    inputSchema: AwaitSignalInput,
    execute: (input): Promise<AwaitSignalResult> => awaitSignalFor(env, { kind: "agent", agentId }, input, budget),
  });
}
