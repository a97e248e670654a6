// Middleware for the settings pages: security headers on every UI response, and the signed-in check that sends a
// browser without a valid session to the sign-in page (parts fetched by script get a 401 instead).
import { getCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { required } from "../lib/config";
import { AppError } from "../lib/errors";
import { csrfToken, readSession, SESSION_COOKIE, SESSION_TTL_S } from "./session";

export type UiEnv = { Bindings: Env; Variables: { csrf: string } };

// Scripts and styles come only from /ui/*; no inline code, no framing, and fetches and WebSockets stay on this origin.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const uiHeaders = createMiddleware(async (c, next) => {
  c.header("content-security-policy", CSP);
  c.header("x-content-type-options", "nosniff");
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "same-origin");
  c.header("cache-control", "no-store");
  await next();
});

export const requirePageSession = createMiddleware<UiEnv>(async (c, next) => {
  const admin = required(c.env, "ADMIN_TOKEN");
  const session = await readSession(createDb(c.env.DB), admin, getCookie(c, SESSION_COOKIE));
  if (!session) {
    if (c.req.path.includes("/parts/")) throw new AppError(401, "unauthorized", "Your session has expired. Sign in again.");
    return c.redirect(`/sign-in?next=${encodeURIComponent(c.req.path)}`, 302);
  }
  c.set("csrf", await csrfToken(admin, session));
  await next();
});

export function sessionCookieOptions(url: string, maxAge = SESSION_TTL_S): CookieOptions {
  return { httpOnly: true, secure: new URL(url).protocol === "https:", sameSite: "Strict", path: "/", maxAge };
}

/** Where to go after signing in: a settings path only, never another site ("//evil.example"). */
export function safeNext(next: string | undefined): string {
  return next && /^\/settings(\/[\w\-/]*)?$/.test(next) ? next : "/settings/channels";
}

/** Sign-in and sign-out forms: a browser always sends Origin on a POST; when it does, it must be ours. */
export function originAllowed(req: Request): boolean {
  const origin = req.headers.get("origin");
  return origin === null || origin === new URL(req.url).origin;
}
