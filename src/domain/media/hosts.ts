// Where inbound media may be fetched from. Twilio's MediaUrl is on api.twilio.com and answers with a redirect to
// its media CDN; every hop must be one of Twilio's documented media hosts (or the configured TWILIO_API_BASE,
// which is how the local emulator takes Twilio's place), and the Basic credentials go to Twilio's API host only.
// Anything else — another host, an IP address, plain http — is refused, so a forged or hijacked MediaUrl cannot
// make the worker fetch internal addresses or hand the channel's credentials to a stranger.

/** Twilio's media hosts (https://www.twilio.com/docs/messaging/api/media-resource and its Basic-auth guide). */
const TWILIO_MEDIA_HOSTS = new Set(["api.twilio.com", "media.twiliocdn.com", "mms.twiliocdn.com"]);
/** Media stored before Basic auth was enforced lives in Twilio's S3 bucket, path-style on this host. */
const TWILIO_S3 = { host: "s3-external-1.amazonaws.com", path: "/media.twiliocdn.com/" };
/** The host that gets the channel's credentials (besides a configured API base). */
export const TWILIO_API_ORIGIN = "https://api.twilio.com";

/** Why `url` may not be fetched for a channel's media, or null when it may. `apiBase`: TWILIO_API_BASE. */
export function refuseMediaHop(url: URL, apiBase: string): string | null {
  // Before the API base is let in: a Location naming other credentials is not Twilio's, whatever its host.
  if (url.username || url.password) return `${url.origin} carries credentials in the URL`;
  if (url.origin === new URL(apiBase).origin) return null;
  const kind = addressKind(url.hostname);
  if (kind) return `${url.hostname} is ${kind}, not one of Twilio's media hosts`;
  if (url.protocol !== "https:") return `${url.protocol.slice(0, -1)} is not https`;
  if (url.port) return `port ${url.port} is not Twilio's`;
  if (TWILIO_MEDIA_HOSTS.has(url.hostname)) return null;
  if (url.hostname === TWILIO_S3.host && url.pathname.startsWith(TWILIO_S3.path)) return null;
  return `${url.hostname} is not one of Twilio's media hosts`;
}

/** Whether this hop gets the channel's Basic credentials: Twilio's API host (or the configured API base) only. */
export function sendsCredentials(url: URL, apiBase: string): boolean {
  return url.origin === TWILIO_API_ORIGIN || url.origin === new URL(apiBase).origin;
}

/** What kind of address a hostname literally is ("a loopback address" …), or null for a name. */
export function addressKind(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return "a loopback address";
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127 || a === 0) return "a loopback address";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return "a private address";
    if (a === 169 && b === 254) return "a link-local address";
    return "an IP address";
  }
  if (host.includes(":")) {
    if (host === "::1" || host === "::") return "a loopback address";
    if (/^f[cd]/.test(host)) return "a private address";
    if (/^fe[89ab]/.test(host)) return "a link-local address";
    return "an IP address";
  }
  return null;
}
