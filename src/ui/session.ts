// The settings UI's sign-in session: a cookie "<exp>.<nonce>.<mac>" signed with a key derived from ADMIN_TOKEN (so
// rotating the token signs every browser out) and recorded in D1 by its nonce (so signing out ends it on the
// server too), and the per-session CSRF token its pages embed.
import type { Db } from "../db/client";
import { endSession, recordSession, sessionRecorded } from "../db/sessions";
import { b64url, deriveKey, timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";

export const SESSION_COOKIE = "textgate_session";
export const SESSION_TTL_S = 12 * 60 * 60;
export const CSRF_HEADER = "x-csrf-token";

const enc = new TextEncoder();

export interface Session {
  /** Expiry, epoch seconds. */
  exp: number;
  nonce: string;
  /** The cookie value. */
  value: string;
}

const sessionKey = (adminToken: string) => deriveKey(adminToken, "textgate/ui-session", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);

async function mac(adminToken: string, purpose: "session" | "csrf", text: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await sessionKey(adminToken), enc.encode(`${purpose}:${text}`));
  return b64url(sig);
}

/** A signed session cookie, not yet recorded (startSession records it; tests forge with this alone). */
export async function newSession(adminToken: string, nowMs = Date.now()): Promise<Session> {
  const exp = Math.floor(nowMs / 1000) + SESSION_TTL_S;
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  return { exp, nonce, value: `${exp}.${nonce}.${await mac(adminToken, "session", `${exp}.${nonce}`)}` };
}

/** Signs a browser in: a new session, recorded so that it can be ended. */
export async function startSession(db: Db, adminToken: string, nowMs = Date.now()): Promise<Session> {
  const session = await newSession(adminToken, nowMs);
  await recordSession(db, session.nonce, session.exp * 1000, nowMs);
  return session;
}

/** Signs a browser out on the server: every copy of its cookie stops working. */
export const stopSession = (db: Db, session: Session) => endSession(db, session.nonce);

/** The session a cookie value carries, or null when it is malformed, forged, expired or signed out. */
export async function readSession(db: Db, adminToken: string, value: string | undefined, nowMs = Date.now()): Promise<Session | null> {
  const m = /^(\d{1,12})\.([\w-]{16,64})\.([\w-]{43})$/.exec(value ?? "");
  if (!m) return null;
  const exp = Number(m[1]);
  const expected = await mac(adminToken, "session", `${m[1]}.${m[2]}`);
  if (!timingSafeEqual(m[3]!, expected) || exp * 1000 <= nowMs) return null;
  // Only a cookie we signed gets as far as a D1 read.
  if (!(await sessionRecorded(db, m[2]!, nowMs))) return null;
  return { exp, nonce: m[2]!, value: value! };
}

/** The CSRF token for a session: only someone who can read our pages (same origin) ever learns it. */
export const csrfToken = (adminToken: string, session: Session) => mac(adminToken, "csrf", session.value);

/** Requests that change state, or open a live channel, need proof they came from our own pages. */
export const isUnsafe = (req: Request) =>
  !["GET", "HEAD", "OPTIONS"].includes(req.method) || req.headers.get("upgrade")?.toLowerCase() === "websocket";

/** Same-origin check: the browser's Origin header must name this deployment's origin. */
export const sameOrigin = (req: Request) => req.headers.get("origin") === new URL(req.url).origin;

/**
 * Authenticates an /api request by its session cookie. Unsafe requests must also come from our origin and carry
 * the session's CSRF token in X-CSRF-Token (browsers cannot set headers on a WebSocket, so an upgrade may send it
 * as the `csrf` query parameter instead).
 */
export async function authenticateSession(db: Db, req: Request, cookie: string, adminToken: string): Promise<Session> {
  const session = await readSession(db, adminToken, cookie);
  if (!session) throw new AppError(401, "unauthorized", "Your session has expired. Sign in again.");
  if (!isUnsafe(req)) return session;
  if (!sameOrigin(req)) throw new AppError(403, "csrf_failed", "Cross-origin request refused: the Origin header must match this site.");
  const upgrade = req.headers.get("upgrade")?.toLowerCase() === "websocket";
  const given = req.headers.get(CSRF_HEADER) ?? (upgrade ? new URL(req.url).searchParams.get("csrf") : null) ?? "";
  if (!timingSafeEqual(given, await csrfToken(adminToken, session))) {
    throw new AppError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header. Reload the page and try again.");
  }
  return session;
}
