// await_signal: an agent waits for an SMS (typically a one-time code). The same call backs the AI SDK tool every
// turn gets and the /mcp tool external agents use, so both behave alike and take the same fields as the REST API.
// Inside a turn a short wait happens in the call; a longer one becomes a watch bound to the conversation, which
// resumes it (a continuation turn) when the watch settles, so no Queue consumer is held while it waits.
import { tool } from "ai";
import { z } from "zod";
import type { Conversation } from "../channel/watch-store";
import { MAX_TIMEOUT_S, watchFields, withWatchRules } from "../domain/signals";
import { AppError } from "../lib/errors";
import { cancelWatch, createWatch, getWatch, type Principal } from "../signals/service";
import { nextMatch, waitResult, type NextMatch, type WaitResult, type WatchView } from "../signals/types";

/** The most one call waits: a turn holds a Queue consumer (15 min wall clock), an MCP call an open request. */
export const MAX_CALL_WAIT_S = 600;
/** Inside a turn, waits up to this long happen in the call; longer ones resume the conversation when they settle. */
export const INLINE_WAIT_S = 20;
/** One long-poll slice (the channel object parks a waiter at most this long). */
const SLICE_S = 60;

export const AWAIT_SIGNAL_DESCRIPTION =
  "Wait for a text message (such as a one-time verification code) to arrive on an SMS channel, and get its text, the " +
  "code found in it and any links. Messages that arrived in the last lookback_s seconds (default 300) count too, so a " +
  "code that came before the call is not missed.\n" +
  `In an SMS conversation: a wait of up to ${INLINE_WAIT_S} seconds happens inside the call. A longer timeout_s (up to ` +
  `${MAX_TIMEOUT_S} s, a week), resume: true, or mode "continuous" returns at once with {status: "waiting", watch_id, ` +
  'resumes: true}: finish your reply now (say you will text back). When the watch settles (a message matched, it timed ' +
  "out, or it was cancelled) you are woken in this same conversation with the result as data and answer with one SMS. " +
  "A continuous watch wakes you for each match (matches that arrive while you are busy come together).\n" +
  `Without a conversation (MCP): one call waits at most ${MAX_CALL_WAIT_S} seconds; with a longer timeout_s, or mode ` +
  '"continuous", the watch goes on after the call: call again with watch_id (and, for a continuous watch, after: the ' +
  "seq of the last match you have) to get the next result.";

export const AwaitSignalInput = withWatchRules(
  z
    .object({
      ...watchFields,
      resume: z
        .boolean()
        .optional()
        .describe(`In a conversation: true to be woken with the result later even for a short wait; false to wait inside the call (at most what the turn has left). Default: true when timeout_s > ${INLINE_WAIT_S}.`),
      watch_id: z.string().min(1).max(64).optional().describe("Read a watch you started earlier instead of starting one; timeout_s is then how long this call waits."),
      after: z.number().int().min(0).optional().describe("With watch_id, for a continuous watch: the seq of the last match you have; the call returns the next one."),
    })
    .superRefine(
      (v, ctx) => {
        const extra = Object.keys(watchFields).filter((k) => k !== "timeout_s" && v[k as keyof typeof v] !== undefined && v[k as keyof typeof v] !== null);
        if (v.watch_id !== undefined && extra.length) ctx.addIssue({ code: "custom", path: ["watch_id"], message: `reads an existing watch: leave out ${extra.join(", ")}` });
        if (v.after !== undefined && v.watch_id === undefined) ctx.addIssue({ code: "custom", path: ["after"], message: "is for reading an existing watch, with watch_id" });
      },
      { when: (p) => typeof p.value === "object" && p.value !== null },
    ),
);
export type AwaitSignalInput = z.infer<typeof AwaitSignalInput>;

type Once = WaitResult & { watch_id: string; resumes?: true };
type Continuous = NextMatch & { watch_id: string; mode: "continuous"; resumes?: true };
export type AwaitSignalResult = Once | Continuous | { status: "waiting"; watch_id: string; resumes: true } | { status: "error"; message: string };

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

/** Where the call comes from: a turn (its budget, and the conversation a long wait resumes) or MCP (neither). */
export interface CallContext {
  budget?: TurnBudget;
  conversation?: Conversation;
}

const result = (view: WatchView, after = 0): Once | Continuous =>
  view.mode === "continuous" ? { watch_id: view.id, mode: "continuous", ...nextMatch(view, after) } : { watch_id: view.id, ...waitResult(view) };

/**
 * Starts the agent's watch (or reads one it started) and waits on it as the context allows. A short watch lives no
 * longer than the call waits, so a watch nobody is waiting on any more never takes a later message that the agent's
 * next call (through its lookback) should get. Mistakes in the request come back as `{status:"error"}` so the
 * model can read them and fix its call.
 */
export async function awaitSignalFor(env: Env, who: Extract<Principal, { kind: "agent" }>, input: AwaitSignalInput, ctx: CallContext = {}): Promise<AwaitSignalResult> {
  const { budget, conversation } = ctx;
  const leftS = budget ? Math.floor((budget.deadline - REPLY_RESERVE_MS - budget.now()) / 1000) : MAX_CALL_WAIT_S;
  const { resume, watch_id, after, ...fields } = input;
  const continuous = fields.mode === "continuous";
  try {
    if (watch_id) {
      if (leftS < 1) return noTimeLeft;
      return await follow(env, who, await getWatch(env, who, watch_id), Math.min(fields.timeout_s, MAX_CALL_WAIT_S, leftS), after ?? 0);
    }
    if (resume && !conversation) return { status: "error", message: "resume works in an SMS conversation; here, call await_signal again with watch_id to keep waiting." };
    if (conversation && (continuous || resume === true || (resume !== false && fields.timeout_s > INLINE_WAIT_S))) {
      const view = await createWatch(env, who, { ...fields, agent_id: who.agentId }, { conversation });
      // A once-watch its lookback already settled has its answer now, and resumes nothing.
      if (!continuous && view.status !== "waiting") return result(view);
      return { watch_id: view.id, status: "waiting", resumes: true };
    }
    if (leftS < 1) return noTimeLeft;
    const callS = Math.min(fields.timeout_s, MAX_CALL_WAIT_S, leftS);
    // A watch meant to outlast the call keeps its timeout, to be read again by watch_id; a short one lives as the call.
    const outlasts = !conversation && (continuous || fields.timeout_s > MAX_CALL_WAIT_S);
    const view = await createWatch(env, who, { ...fields, agent_id: who.agentId, timeout_s: outlasts ? fields.timeout_s : callS });
    const waited = await follow(env, who, view, callS, 0);
    if (outlasts || waited.status !== "waiting") return waited;
    // The wait ran out a moment before the watch's own expiry fired; settle it now (a match may just have won).
    const settled = waitResult(await cancelWatch(env, who, view.id));
    return { watch_id: view.id, ...(settled.status === "matched" ? settled : { status: "timed_out" }) };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { status: "error", message: err.message };
    throw err;
  }
}

const noTimeLeft = { status: "error", message: "This turn has no time left to wait for a message; answer without it." } as const;

/** Waits (in long-poll slices) up to `waitS` for the watch to settle, or a continuous one to match after `after`. */
async function follow(env: Env, who: Principal, start: WatchView, waitS: number, after: number): Promise<Once | Continuous> {
  const deadline = Date.now() + waitS * 1000;
  let view = start.mode === "continuous" ? await getWatch(env, who, start.id, 0, after) : start;
  while (result(view, after).status === "waiting" && Date.now() < deadline) {
    view = await getWatch(env, who, view.id, Math.ceil(Math.min(SLICE_S * 1000, deadline - Date.now()) / 1000), view.mode === "continuous" ? after : undefined);
  }
  return result(view, after);
}

/** The AI SDK tool, bound to the agent whose turn is running and to the conversation it is in. */
export function awaitSignalTool(env: Env, agentId: string, budget?: TurnBudget, conversation?: Conversation) {
  return tool({
    description: AWAIT_SIGNAL_DESCRIPTION,
    inputSchema: AwaitSignalInput,
    execute: (input): Promise<AwaitSignalResult> => awaitSignalFor(env, { kind: "agent", agentId }, input, { budget, conversation }),
  });
}
