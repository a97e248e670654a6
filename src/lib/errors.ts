// The one error family. Every failure a client can see is an AppError: a status, a stable machine code and a
// client-safe message. `detail` is for logs only and never leaves the worker. app.onError renders the family.

export type ErrorCode =
  | "bad_request"
  | "validation_error"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "config_missing"
  | "config_invalid"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_attempts"
  | "internal_error"
  | (string & {});

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 426 | 429 | 500 | 502 | 503,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Logged, never returned. */
    readonly detail?: string,
  ) {
    super(message);
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const conflict = (message: string, details?: unknown) => new AppError(409, "conflict", message, details);
