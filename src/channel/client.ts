// The typed way to reach a channel's Durable Object. One object per channel id (idFromName), so every request for
// a channel lands on the same single-threaded instance wherever it enters Cloudflare's network.
import { channelExists } from "../db/channels";
import { createDb } from "../db/client";
import { channelIdKind } from "../lib/channel-id";
import { required } from "../lib/config";

export function channelStub(env: Env, channelId: string) {
  return env.CHANNEL.get(env.CHANNEL.idFromName(channelId));
}

/** Legacy ids D1 confirmed, so an old channel's webhooks ask D1 once per isolate. Bounded; ids are not secret. */
const confirmedLegacy = new Set<string>();

/**
 * Whether `channelId` may name one of our channels, decided before any object is touched (reaching one creates
 * it). Ids issued here carry a MAC, checked without I/O; ids from before the MAC count only when D1 has the
 * channel. Anything else — made-up ids, other objects' names such as the signal hub's — is never a channel.
 */
export async function isChannelId(env: Env, channelId: string): Promise<boolean> {
  const kind = await channelIdKind(required(env, "ENCRYPTION_KEY"), channelId);
  if (kind !== "legacy") return kind === "signed";
  if (confirmedLegacy.has(channelId)) return true;
  if (!(await channelExists(createDb(env.DB), channelId))) return false;
  if (confirmedLegacy.size >= 1024) confirmedLegacy.clear();
  confirmedLegacy.add(channelId);
  return true;
}
