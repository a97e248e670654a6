// One contract per route, written inline after the path: `route({...})` validates the request with the route's
// zod schemas (failures become the one error family, 400 validation_error with every field's issue) and carries
// everything the OpenAPI document says about the route, which src/routes/openapi.ts reads off the app's routes.
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import { every } from "hono/combine";
import { validator } from "hono/validator";
import type { z } from "zod";
import { AppError } from "../lib/errors";
import { issueWords } from "../ui/words";

/** Who may call: the ADMIN_TOKEN (or the settings UI's session), an agent key, either, Twilio (signed), anyone. */
export type Auth = "admin" | "agent" | "admin_or_agent" | "twilio" | "none";
export type ErrorStatus = 400 | 403 | 404 | 409 | 415 | 426 | 429;

export interface Reply {
  description: string;
  /** The body's schema; absent for a body-less answer. */
  schema?: z.ZodType;
  /** Default application/json. */
  type?: string;
  example?: unknown;
  /** Further content types this answer may come as. */
  alternatives?: Record<string, Accepts>;
}

/** A body the handler reads itself (a Twilio form, Cedar text): documented here, validated where it is read. */
export interface Accepts {
  schema: z.ZodType;
  example?: unknown;
}

export interface RouteSpec {
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Documented request headers (e.g. Upgrade for WebSockets). */
  headers?: z.ZodObject;
  /** A JSON body, validated before the handler runs. */
  body?: z.ZodType;
  /** Request body example (for `body`). */
  example?: unknown;
  /** Bodies the handler reads itself, by content type. */
  accepts?: Record<string, Accepts>;
  responses: Record<number, Reply>;
  /** Error statuses besides the implied ones: 401 and 429 for credentials, 403 for Twilio's signature, 413 with a body, 500. */
  errors: ErrorStatus[];
}

export const SPEC = Symbol("route spec");

type Validated<K extends string, S> = S extends z.ZodType ? { in: { [k in K]: z.input<S> }; out: { [k in K]: z.output<S> } } : {};
export type SpecInput<S extends RouteSpec> = Validated<"param", S["params"]> & Validated<"query", S["query"]> & Validated<"json", S["body"]>;
export type Described = MiddlewareHandler & { [SPEC]: RouteSpec };

/** Describes and validates a route: `app.post("/", route({...}), async (c) => { c.req.valid("json") … })`. */
export function route<const S extends RouteSpec>(spec: S): MiddlewareHandler<any, string, SpecInput<S>> {
  const checks: MiddlewareHandler[] = [];
  if (spec.params) checks.push(validate("param", spec.params));
  if (spec.query) checks.push(validate("query", spec.query));
  if (spec.body) checks.push(validate("json", spec.body));
  const handler: MiddlewareHandler = checks.length ? every(...checks) : async (_c, next) => next();
  return Object.assign(handler, { [SPEC]: spec });
}

export const specOf = (handler: unknown): RouteSpec | undefined =>
  typeof handler === "function" && SPEC in handler ? (handler as Described)[SPEC] : undefined;

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/** A JSON body sent without a JSON Content-Type is refused, rather than validated as an empty object. */
const requireJson: MiddlewareHandler = async (c, next) => {
  if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) {
    throw new AppError(415, "unsupported_media_type", "Send a JSON body with Content-Type: application/json.");
  }
  await next();
};

export interface Issue {
  path: string;
  message: string;
}

/** 400 validation_error naming every field at fault, in the message and in details.issues. */
export function invalid(issues: Issue[], what = "request"): AppError {
  return new AppError(400, "validation_error", issues.map((i) => `${i.path || what}: ${i.message}`).join("; ") || `invalid ${what}`, { issues });
}

/**
 * Parses with the schema or throws 400 validation_error listing zod's issues; messages the schema does not set come
 * in plain words (src/ui/words.ts). `at` prefixes the paths (a part of a larger body); `what` names the whole.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, { at, what = "request" }: { at?: string; what?: string } = {}): z.output<S> {
  const parsed = schema.safeParse(value, { error: issueWords });
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error.issues.map((i) => ({ path: [...(at ? [at] : []), ...i.path].join("."), message: i.message })), what);
}

/** Validates one part of the request with a zod schema (for routes that are not part of the API, e.g. UI forms). */
export function validate<S extends z.ZodType, T extends keyof ValidationTargets>(target: T, schema: S) {
  const check = validator(target, (value: unknown, _c: Context): unknown => parseOrThrow(schema, value, { what: target }));
  return (target === "json" ? every(requireJson, check) : check) as MiddlewareHandler<any, string, Validated<T, S>>;
}
