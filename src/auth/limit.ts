// The worker's side of the failed-credential limit: which client a request comes from, asking that client's
// AuthGuard, and the 429 a blocked client gets (with Retry-After, logged by client key — never the token).
import type { Context } from "hono";
import { clientKey, type AuthVerdict, type FailureVerdict } from "../domain/auth/failures";
import { AppError } from "../lib/errors";

export type Blocked = Extract<AuthVerdict, { status: "blocked" }>;

/** The guard that counts this request's client. */
export function guardFor(env: Env, req: Request) {
  const key = clientKey(req.headers.get("cf-connecting-ip"), req.headers.get("cf-worker"));
  return { key, stub: env.AUTH_GUARD.get(env.AUTH_GUARD.idFromName(key)) };
}

export const minutes = (s: number) => Math.ceil(s / 60);

/** Logs the refusal and sets Retry-After on the response; the caller answers 429 (JSON via the error, or a page). */
export function tooManyAttempts(c: Context, key: string, surface: string, blocked: Blocked): AppError {
  console.warn(`[too_many_attempts] ${surface}: refused client ${key}, blocked for ${blocked.retryAfterS} s more after too many wrong credentials`);
  c.header("retry-after", String(blocked.retryAfterS));
  const n = minutes(blocked.retryAfterS);
  return new AppError(429, "too_many_attempts", `Too many wrong credentials from your network. Try again in ${n} minute${n === 1 ? "" : "s"}.`);
}

/** A counted wrong credential: logs the one that reaches the limit (the next attempt is refused). */
export function noteFailure(key: string, surface: string, v: FailureVerdict) {
  if (v.status === "counted" && v.failures === v.limit) {
    console.warn(`[too_many_attempts] ${surface}: client ${key} reached ${v.limit} wrong credentials; it is refused until its window ends`);
  }
}

/** After a wrong credential was counted: the 429 when the client was already blocked, else the caller's 401. */
export function afterWrong(c: Context, key: string, surface: string, v: FailureVerdict, unauthorized: AppError): AppError {
  if (v.status === "blocked") return tooManyAttempts(c, key, surface, v);
  noteFailure(key, surface, v);
  return unauthorized;
}
