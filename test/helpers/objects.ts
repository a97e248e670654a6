// Reaching a channel's Durable Object from a test: its stub, SQL in its own storage, and the isolate's clock moved
// forward (a fixed Date, so the object's schedule sees the time pass without anyone sleeping).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";

export const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

export const sqlIn = <T extends Record<string, SqlStorageValue>>(channelId: string, query: string, ...args: SqlStorageValue[]) =>
  runInDurableObject(objectOf(channelId), (_o, state) => state.storage.sql.exec<T>(query, ...args).toArray());

/** Moves every clock in this isolate (the objects', the consumer's) forward and holds it; timers keep real time. */
export function advanceClock(ms: number) {
  const at = Date.now() + ms;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}
