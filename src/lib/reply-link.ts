// Links to a long reply's whole text (/r/:token), sent at the end of an SMS that had to be cut. The token is the
// channel's id (so the route reaches the right object, after the id's own MAC check) and a key derived by HMAC
// from the channel and the turn: the same turn always gets the same link, so a resend carries the very body the
// ledger reconciles by, and nobody without ENCRYPTION_KEY can guess one (120 bits). Expiry is kept with the page.
import { ID_ALPHABET, macChars } from "./crypto";

const KEY_CHARS = 24;
const TOKEN = new RegExp(`^([${ID_ALPHABET}]{20}(?:[${ID_ALPHABET}]{12})?)\\.([${ID_ALPHABET}]{${KEY_CHARS}})$`);

/** The page key of a turn's reply: deterministic, unguessable. */
export const replyPageKey = (secret: string, channelId: string, turnId: string) => macChars(secret, "textgate/reply-page", `${channelId}\u0000${turnId}`, KEY_CHARS);

/** The public URL of a reply page, from the deployment's external URL. */
export const replyPageUrl = (externalUrl: string, channelId: string, key: string) => `${externalUrl}/r/${channelId.replace(/^ch_/, "")}.${key}`;

/** The channel and page key a token names, or null when it cannot be one of ours. */
export function parseReplyToken(token: string): { channelId: string; key: string } | null {
  const m = TOKEN.exec(token);
  return m ? { channelId: `ch_${m[1]}`, key: m[2]! } : null;
}
