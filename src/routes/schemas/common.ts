// Pieces every API schema shares: the error body, times, ids, and the way a schema becomes an OpenAPI component
// (a zod `id` in the global registry, which z.toJSONSchema turns into a $ref).
import { z } from "zod";

/** Names a schema as an OpenAPI component, in place (no copy), so every schema that nests it refers to it. */
export function component<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id, ...(description ? { description } : {}) });
  return schema;
}

export const Time = z.iso.datetime().describe("An ISO 8601 time in UTC.");
/** An id the API issues: its prefix, then random characters. */
export const Id = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}_`), `must start with ${prefix}_`).describe(`The ${what}'s id (${prefix}_…).`);

export const ErrorBody = component(
  "Error",
  z.object({
    error: z.object({
      code: z.string().describe("A stable machine code, e.g. validation_error, not_found, number_in_use."),
      message: z.string().describe("A client-safe message."),
      details: z.unknown().optional().describe("Structured details, e.g. {issues:[{path,message}]} for validation_error."),
    }),
  }),
  "Every error the API returns: {error:{code,message,details?}} with a fitting status.",
);

export const ValidationIssue = z.object({ path: z.string().describe("The field, dotted (config.account_sid); empty for the whole body."), message: z.string() });

/** `?limit=` on the newest-first lists. */
export const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50).describe("How many, newest first.") });

/** `Upgrade: websocket` on the routes that open a WebSocket. */
export const WebSocketHeaders = z.object({ upgrade: z.literal("websocket") });
