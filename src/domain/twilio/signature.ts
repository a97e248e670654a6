// Twilio request validation (X-Twilio-Signature): HMAC-SHA1 over the webhook URL followed by the sorted POST
// parameters, keyed by the account's auth token. Mirrors twilio-node's validateRequest, including its habit of
// accepting the URL both with and without the default port, and compares in constant time. Pure WebCrypto.
import { timingSafeEqual } from "../../lib/crypto";

export type FormParams = Record<string, string | string[]>;

/** Parses an application/x-www-form-urlencoded body, keeping repeated keys as arrays (as Twilio signs them). */
export function parseForm(body: string): FormParams {
  const out: FormParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function signedData(url: string, params: FormParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) data += key + v;
    else data += key + value;
  }
  return data;
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(authToken: string): Promise<CryptoKey> {
  let key = keyCache.get(authToken);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
    if (keyCache.size > 256) keyCache.clear();
    keyCache.set(authToken, key);
  }
  return key;
}

export async function computeSignature(authToken: string, url: string, params: FormParams): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(authToken), new TextEncoder().encode(signedData(url, params)));
  let s = "";
  for (const b of new Uint8Array(mac)) s += String.fromCharCode(b);
  return btoa(s);
}

/** The URL as configured plus its default-port twin (https://h/x ⇄ https://h:443/x), as twilio-node accepts. */
export function urlVariants(url: string): string[] {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const bracket = authority.lastIndexOf("]");
  const colon = authority.indexOf(":", bracket + 1);
  const host = colon === -1 ? authority : authority.slice(0, colon);
  const defaultPort = scheme.toLowerCase() === "https://" ? ":443" : ":80";
  const withoutPort = scheme + host + rest;
  const withPort = colon === -1 ? scheme + host + defaultPort + rest : url;
  return [...new Set([withoutPort, withPort, url])];
}

export async function validateTwilioSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  params: FormParams,
): Promise<boolean> {
  if (!signature) return false;
  // The URL as configured first: it is the one Twilio signs unless a proxy changed the port form. Which variant
  // matched is no secret (both are public); each comparison itself is constant-time.
  const variants = urlVariants(url);
  for (const candidate of [url, ...variants.filter((v) => v !== url)]) {
    if (timingSafeEqual(await computeSignature(authToken, candidate, params), signature)) return true;
  }
  return false;
}
