// Channel ids that prove they were issued here. Webhooks arrive unauthenticated and reaching a Durable Object
// creates it, so a made-up id must be turned away before any object is touched. A channel id is a random part
// and a MAC of it under a key derived from ENCRYPTION_KEY: checking it costs one HMAC with a cached key, no I/O.
// Ids issued before the MAC (20 random characters, no MAC) are "legacy": the caller asks D1 about those.
import { ID_ALPHABET, macChars, newId, timingSafeEqual } from "./crypto";

const RANDOM_CHARS = 20;
/** 12 characters of 5 bits: a 60-bit tag, far beyond what an online guesser can try. */
const MAC_CHARS = 12;
const PREFIX = "ch_";
const LEGACY = new RegExp(`^${PREFIX}[${ID_ALPHABET}]{${RANDOM_CHARS}}$`);
const SIGNED = new RegExp(`^${PREFIX}[${ID_ALPHABET}]{${RANDOM_CHARS + MAC_CHARS}}$`);

const tag = (secret: string, randomPart: string) => macChars(secret, "textgate/channel-id", randomPart, MAC_CHARS);

/** A new channel id: `ch_` + 20 random characters + 12 characters of MAC. */
export async function newChannelId(secret: string): Promise<string> {
  const randomPart = newId("ch");
  return randomPart + (await tag(secret, randomPart));
}

/** "signed": issued here (MAC checks); "legacy": the pre-MAC shape, ours only if D1 has it; "invalid": never ours. */
export async function channelIdKind(secret: string, id: string): Promise<"signed" | "legacy" | "invalid"> {
  if (LEGACY.test(id)) return "legacy";
  if (!SIGNED.test(id)) return "invalid";
  const split = PREFIX.length + RANDOM_CHARS;
  return timingSafeEqual(await tag(secret, id.slice(0, split)), id.slice(split)) ? "signed" : "invalid";
}
