// Signed, expiring URLs for outbound media (/m/:token): Twilio fetches an MMS's MediaUrl without credentials, so the
// URL itself is the credential — the media id and an expiry, with a MAC under a key derived from ENCRYPTION_KEY.
// A URL is made once, when the reply is recorded in the ledger, so every resend carries the same one.
import { macChars, timingSafeEqual } from "./crypto";

/** Long enough to outlast every retry and reconciliation of a reply; Twilio fetches the media when it sends. */
export const MEDIA_LINK_TTL_MS = 7 * 24 * 3600_000;
const MAC_CHARS = 24;
const TOKEN = /^(med_[0-9a-z_]{1,40})\.([0-9a-z]{1,12})\.([0-9a-z]{24})$/;

const mac = (secret: string, id: string, exp: string) => macChars(secret, "textgate/media-url", `${id}.${exp}`, MAC_CHARS);

export async function mediaLink(secret: string, externalUrl: string, mediaId: string, now: number): Promise<string> {
  const exp = Math.floor((now + MEDIA_LINK_TTL_MS) / 1000).toString(36);
  return `${externalUrl}/m/${mediaId}.${exp}.${await mac(secret, mediaId, exp)}`;
}

/** The media id a token names, if its MAC checks and it has not expired; null otherwise. */
export async function verifyMediaToken(secret: string, token: string, now: number): Promise<string | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [id, exp, given] = [m[1]!, m[2]!, m[3]!];
  if (!timingSafeEqual(await mac(secret, id, exp), given)) return null;
  return parseInt(exp, 36) * 1000 > now ? id : null;
}
