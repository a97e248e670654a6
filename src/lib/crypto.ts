// Small WebCrypto helpers: constant-time comparison, random identifiers, and AES-GCM sealing of stored secrets
// (Twilio auth tokens) under a key derived from ENCRYPTION_KEY. Stored form: "v1.<iv b64url>.<ciphertext b64url>".

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Compares two strings without an early exit, so timing does not reveal the length of a matching prefix. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  const len = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < len; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** A prefixed random id such as `ch_7k2m...` (20 chars of Crockford base32, ~100 bits). */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let out = "";
  for (const b of bytes) out += ID_ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

export function b64url(bytes: Uint8Array | ArrayBuffer): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromB64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", enc.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const derived = new Map<string, Promise<CryptoKey>>();

/**
 * A key derived from a secret with HKDF-SHA-256, for one purpose (`salt`), cached per secret and purpose. A rotated
 * secret leaves a few stale entries behind, never a growing map.
 */
export function deriveKey(secret: string, salt: string, algorithm: SubtleCryptoImportKeyAlgorithm, usages: string[]): Promise<CryptoKey> {
  const id = `${salt}\u0000${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: enc.encode(salt), info: enc.encode("v1") }, material, algorithm, false, usages);
    })();
    if (derived.size > 16) derived.clear();
    derived.set(id, key);
  }
  return key;
}

const hmacKey = (secret: string, purpose: string) => deriveKey(secret, purpose, { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);

/**
 * `chars` characters of ID_ALPHABET (5 bits each, at most 32) from an HMAC-SHA-256 of `text`, under a key derived
 * from `secret` for one `purpose`: identifiers and tags that only the holder of the secret can make.
 */
export async function macChars(secret: string, purpose: string, text: string, chars: number): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, purpose), enc.encode(text)));
  let out = "";
  for (let i = 0; i < chars; i++) out += ID_ALPHABET[mac[i]! & 31];
  return out;
}

const sealingKey = (secret: string) => deriveKey(secret, "textgate/credentials", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);

/** Encrypts `plaintext`; `context` (e.g. the channel id) is bound as associated data so a value can't be moved. */
export async function seal(secret: string, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, await sealingKey(secret), enc.encode(plaintext));
  return `v1.${b64url(iv)}.${b64url(ct)}`;
}

export async function unseal(secret: string, sealed: string, context: string): Promise<string> {
  const [version, iv, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("unknown sealed format");
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64url(iv), additionalData: enc.encode(context) },
    await sealingKey(secret),
    fromB64url(ct),
  );
  return dec.decode(pt);
}
