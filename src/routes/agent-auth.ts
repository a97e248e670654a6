// Auth by per-agent API key (`Authorization: Bearer tgk_…`) for the surfaces an external agent uses: the signals
// API and /mcp. A valid key sets the request's principal to its agent; requireAdmin lets only such requests pass.
// Wrong and revoked keys are counted by the client's AuthGuard; a blocked client is refused even a valid key.
import { createMiddleware } from "hono/factory";
import { afterWrong, guardFor, tooManyAttempts } from "../auth/limit";
import { agentForKey, KEY_PREFIX } from "../db/agent-keys";
import { createDb } from "../db/client";
import { AppError } from "../lib/errors";
import type { Principal } from "../signals/service";

declare module "hono" {
  interface ContextVariableMap {
    /** Set only by agentKeyAuth; absent means the admin (checked by requireAdmin). */
    principal?: Principal;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function unauthorized(message: string): AppError {
  return new AppError(401, "unauthorized", message);
}

/** Sets the principal when the request carries an agent key; a wrong or revoked one is refused, anything else passes. */
export const agentKeyAuth = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const key = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
  if (!key?.startsWith(KEY_PREFIX)) return next();
  const guard = guardFor(c.env, c.req.raw);
  // The block check rides along with the key lookup; only a wrong key pays a second call (to be counted).
  const [owner, v] = await Promise.all([agentForKey(createDb(c.env.DB), key), guard.stub.check()]);
  if (!owner) {
    c.header("www-authenticate", 'Bearer realm="textgate", error="invalid_token"');
    throw afterWrong(c, guard.key, "agent key", await guard.stub.fail(), unauthorized("This API key is not valid or has been revoked."));
  }
  if (v.status === "blocked") throw tooManyAttempts(c, guard.key, "agent key", v);
  c.set("principal", { kind: "agent", agentId: owner.agentId, keyId: owner.keyId });
  await next();
});

/** Like agentKeyAuth, but a request without an agent key is refused too (for /mcp, which only agents use). */
export const requireAgentKey = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const key = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
  if (!key?.startsWith(KEY_PREFIX)) {
    c.header("www-authenticate", 'Bearer realm="textgate"');
    throw unauthorized("Send Authorization: Bearer <agent API key> (tgk_…).");
  }
  return agentKeyAuth(c, next);
});
