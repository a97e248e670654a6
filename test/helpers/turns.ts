// Waiting on agent turns that run on the real Queue consumer (asynchronously, like in production).
import { vi } from "vitest";
import { api, json } from "./api";

export async function turns(channelId: string) {
  return json<any[]>(api("GET", `/api/channels/${channelId}/turns`));
}

/** Resolves when `count` turns of the channel have settled (completed or failed), oldest first. */
export async function settledTurns(channelId: string, count = 1, timeout = 15_000) {
  return vi.waitFor(
    async () => {
      const all = await turns(channelId);
      const settled = all.filter((t) => t.status === "completed" || t.status === "failed");
      if (settled.length < count) throw new Error(`${settled.length}/${count} turns settled: ${JSON.stringify(all.map((t) => [t.status, t.error]))}`);
      return settled.reverse();
    },
    { timeout, interval: 50 },
  );
}

export async function outbound(channelId: string) {
  return (await json<any[]>(api("GET", `/api/channels/${channelId}/messages?limit=100`))).filter((m) => m.direction === "outbound").reverse();
}
