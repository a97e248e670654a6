// The two ways a turn can fail before it produces text: the agent is misconfigured (fix the config; retrying is
// pointless), or the model call failed (the queue consumer retries only when `retryable` says it may help).
import { APICallError, RetryError } from "ai";

export class AgentConfigError extends Error {
  override readonly name = "AgentConfigError";
}

export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// 408/409 are what providers send for "try again" races; other 4xx mean the request itself is wrong.
const retryableStatus = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** Classifies anything generateText threw. Unknown errors are not retryable: repeating a bug burns quota. */
export function toModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  // The SDK wraps errors in RetryError only when it retried itself; the last attempt is the one that counts.
  const inner = RetryError.isInstance(error) ? error.lastError : error;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (APICallError.isInstance(inner)) {
    const status = inner.statusCode;
    // No status means the request never got an answer (connection refused, reset): a network failure.
    const retryable = status === undefined ? inner.isRetryable : retryableStatus(status);
    return new ModelError(`Model call failed${status ? ` (HTTP ${status})` : ""}: ${message}`, retryable, status, { cause: error });
  }
  if (inner instanceof Error && (inner.name === "TimeoutError" || inner.name === "AbortError")) {
    // An aborted turn sent nothing, so running it again is safe.
    return new ModelError(`Model call did not finish: ${message}`, true, undefined, { cause: error });
  }
  // workerd marks transient failures ("Network connection lost.") with `retryable: true` on a plain Error, which
  // the SDK passes through; Node reports them as TypeError("fetch failed").
  const flagged = typeof inner === "object" && inner !== null && "retryable" in inner && inner.retryable === true;
  if (flagged || (inner instanceof TypeError && /network|fetch failed|connect/i.test(message))) {
    return new ModelError(`Model call failed: ${message}`, true, undefined, { cause: error });
  }
  return new ModelError(`Model call failed: ${message}`, false, undefined, { cause: error });
}
