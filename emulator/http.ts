// The emulator's small HTTP kit: a route table (method + path pattern → handler), JSON answers and Twilio's error
// body. A new Twilio resource is a new file exporting routes, added to the table in twilio.ts.
import type { IncomingMessage, ServerResponse } from "node:http";

/** What a handler answers; "drop" closes the connection without an answer (a fault). */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> } | "drop";

export interface Route<C> {
  method: "GET" | "POST" | "DELETE";
  pattern: RegExp;
  handle(ctx: C, params: Record<string, string>): Reply | Promise<Reply>;
}

/**
 * A route for `path`, where `:name` matches one path segment (up to a dot, so ":Sid.json" works):
 * route("POST", "/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json", handler).
 */
export function route<C>(method: Route<C>["method"], path: string, handle: Route<C>["handle"]): Route<C> {
  const source = path
    .split(/(:[A-Za-z]+)/)
    .map((part) => (part.startsWith(":") ? `(?<${part.slice(1)}>[^/.]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return { method, pattern: new RegExp(`^${source}$`), handle };
}

/** The route for this method and path, with its decoded parameters; undefined when none matches. */
export function match<C>(routes: readonly Route<C>[], method: string, pathname: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    return { route: r, params };
  }
  return undefined;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });

/** Twilio's error body: {code, message, more_info, status}. */
export const twilioError = (status: number, code: number, message: string): Reply => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export const notFound = (pathname: string) => twilioError(404, 20404, `The requested resource ${pathname} was not found`);

export function write(req: IncomingMessage, res: ServerResponse, reply: Reply) {
  if (reply === "drop") return req.socket.destroy();
  // No body (a redirect, a 204) is none; bytes (media) and a string with its own content-type (the phone page's
  // HTML) go out as they are; anything else is JSON.
  if (reply.body === undefined) return res.writeHead(reply.status, reply.headers).end();
  const raw = Buffer.isBuffer(reply.body) || (typeof reply.body === "string" && reply.headers?.["content-type"] !== undefined);
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(raw ? reply.body : JSON.stringify(reply.body));
}

export const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
