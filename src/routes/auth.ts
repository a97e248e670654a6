// Bearer-token auth for /api/*: the ADMIN_TOKEN, compared in constant time.
import { createMiddleware } from "hono/factory";
import { required } from "../lib/config";
import { timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";

export const requireAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const expected = required(c.env, "ADMIN_TOKEN");
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m || !timingSafeEqual(m[1]!.trim(), expected)) {
    c.header("www-authenticate", 'Bearer realm="textgate"');
    throw new AppError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN>.");
  }
  await next();
});
