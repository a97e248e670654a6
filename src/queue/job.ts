// The agent-turn Queue message. Kept minimal (ids only): everything else is read fresh when the turn runs.
import { z } from "zod";

export const TurnJob = z.object({ kind: z.literal("turn"), turnId: z.string().min(1), channelId: z.string().min(1) });
export type TurnJob = z.infer<typeof TurnJob>;

export const turnJob = (channelId: string, turnId: string): TurnJob => ({ kind: "turn", turnId, channelId });
