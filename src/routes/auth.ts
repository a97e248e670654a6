// Auth for /api/*: the ADMIN_TOKEN as a bearer token, compared in constant time, or the settings UI's signed
// session cookie (src/ui/session.ts), which also needs same-origin and CSRF proof on state-changing requests.
// Every bearer token is settled with the client's AuthGuard: wrong ones are counted, and a blocked client is
// refused (429) even with the right token. Session cookies are 256-bit MACs with a server record, not guessable,
// so they are not counted.
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { afterWrong, guardFor, tooManyAttempts } from "../auth/limit";
import { KEY_PREFIX } from "../db/agent-keys";
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
  const unauthorized = () => {
    c.header("www-authenticate", 'Bearer realm="textgate"');
    return new AppError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN>.");
  };
  const token = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim();
  if (!token) throw unauthorized();
  const correct = timingSafeEqual(token, expected);
  // An agent key on an admin route cannot be the admin token (unless that has the key prefix too): refusing it
  // teaches nothing, so an agent that calls the wrong route does not lock its own address out.
  if (!correct && token.startsWith(KEY_PREFIX) && !expected.startsWith(KEY_PREFIX)) throw unauthorized();
  const { key, stub } = guardFor(c.env, c.req.raw);
  if (!correct) throw afterWrong(c, key, "admin token", await stub.fail(), unauthorized());
  const v = await stub.succeed();
  if (v.status === "blocked") throw tooManyAttempts(c, key, "admin token", v);
  await next();
});
