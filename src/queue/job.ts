// The agent-turn Queue message. Kept minimal (ids only): everything else is read fresh when the turn runs.
import { z } from "zod";

export const TurnJob = z.object({ kind: z.literal("turn"), turnId: z.string().min(1), channelId: z.string().min(1) });
export type TurnJob = z.infer<typeof TurnJob>;

export const turnJob = (channelId: string, turnId: string): TurnJob => ({ kind: "turn", turnId, channelId });

/** The longest delay the consumer asks the Queue for before retrying a job. */
export const MAX_RETRY_DELAY_S = 300;

/** Exponential backoff in seconds for the Queue's retry delay: base, 2×, 4× … capped at MAX_RETRY_DELAY_S. */
export function backoff(env: Env, attempts: number, atLeast = 0): number {
  const base = Number(env.TURN_RETRY_DELAY_S ?? 5);
  if (!Number.isFinite(base) || base <= 0) return 0;
  return Math.min(MAX_RETRY_DELAY_S, Math.max(atLeast, base * 2 ** Math.max(0, attempts - 1)));
}
