// The settings UI as a browser meets it: page requests with the session cookie, form posts, and /api calls that
// carry the cookie (and, for writes, the page's CSRF token).
import { exports } from "cloudflare:workers";
import { BASE, uiCookie } from "./api";

export const get = (path: string, headers: Record<string, string> = {}) => exports.default.fetch(new Request(`${BASE}${path}`, { headers, redirect: "manual" }));

export function form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}, base = BASE) {
  return exports.default.fetch(
    new Request(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    }),
  );
}

/** Signs in through the form; returns the Cookie header to send and the page's CSRF token. */
export async function signIn() {
  const cookie = await uiCookie();
  const page = await (await get("/settings/channels", { cookie })).text();
  const csrf = /data-csrf="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf };
}

export const withCookie = (s: { cookie: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { cookie: s.cookie, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
