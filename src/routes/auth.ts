// Auth for /api/*: the ADMIN_TOKEN as a bearer token, compared in constant time, or the settings UI's signed
// session cookie (src/ui/session.ts), which also needs same-origin and CSRF proof on state-changing requests.
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { required } from "../lib/config";
import { timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { authenticateSession, SESSION_COOKIE } from "../ui/session";

export const requireAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  if (c.get("principal")) return next(); // an agent key already vouched (agentKeyAuth, mounted on /api/signals/* only)
  const expected = required(c.env, "ADMIN_TOKEN");
  const header = c.req.header("authorization");
  const cookie = getCookie(c, SESSION_COOKIE);
  if (header === undefined && cookie !== undefined) {
    await authenticateSession(createDb(c.env.DB), c.req.raw, cookie, expected);
    return next();
  }
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m || !timingSafeEqual(m[1]!.trim(), expected)) {
    c.header("www-authenticate", 'Bearer realm="textgate"');
    throw new AppError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN>.");
  }
  await next();
});
