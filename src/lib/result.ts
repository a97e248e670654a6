// Expected outcomes cross Durable Object RPC as tagged unions: RPC keeps only an Error's name and message, so an
// AppError thrown inside an object would lose its status and code. The typed client turns `fail` back into one.
import { AppError } from "./errors";

/** Structured error details that survive RPC (plain, finite types only). */
export interface Details {
  field?: string;
  issues?: { path: string; message: string }[];
  reasons?: string[];
  /** The other channel a conflict is with (number_in_use). */
  channel?: { id: string; handle: string };
}

export interface Failure {
  status: AppError["status"];
  code: string;
  message: string;
  details?: Details;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (status: Failure["status"], code: string, message: string, details?: Details): { ok: false; error: Failure } => ({
  ok: false,
  error: { status, code, message, ...(details === undefined ? {} : { details }) },
});

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new AppError(r.error.status, r.error.code, r.error.message, r.error.details);
}
