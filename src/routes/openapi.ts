// The OpenAPI 3.1 document, generated: every route that carries a contract (src/routes/contract.ts) becomes an
// operation, and its zod schemas become JSON Schema through zod's own z.toJSONSchema. Schemas named with
// component() are shared under components/schemas. Nothing here is written by hand but the words around it.
import type { RouterRoute } from "hono/types";
import { z } from "zod";
import { specOf, type Auth, type RouteSpec } from "./contract";
import { ErrorBody } from "./schemas/common";

type Json = Record<string, unknown>;

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Bad request: validation_error (details.issues lists each field and what is wrong with it), bad_request (malformed JSON) or a route's own code.",
  401: "Missing or wrong credentials.",
  403: "Forbidden: e.g. an agent key acting for another agent, signal_forbidden (the policies never let the agent receive a signal there), or a bad Twilio signature (invalid_signature).",
  404: "Not found.",
  409: "Conflict: e.g. number_in_use (another channel has this Twilio account + number; details.channel gives its id and handle).",
  413: "Payload too large.",
  415: "Unsupported media type: send the Content-Type the operation names.",
  426: "Upgrade required: connect with a WebSocket.",
  500: "internal_error: something failed on our side (logged). Nothing the request had already handed over is lost; it may be retried.",
  429:
    "too_many_attempts: this client sent too many wrong credentials (10 in 10 minutes); every credential, the right one too, is refused until the window ends (with Retry-After). " +
    "On watch creation also too_many_watches: the agent (WATCH_LIMIT_PER_AGENT) or its key (WATCH_LIMIT_PER_KEY) has as many pending watches as allowed; cancel one (no Retry-After).",
};

const ERROR_EXAMPLES: Record<number, { code: string; message: string }> = {
  400: { code: "validation_error", message: "name: must not be empty" },
  401: { code: "unauthorized", message: "Send Authorization: Bearer <ADMIN_TOKEN>." },
  403: { code: "forbidden", message: "This API key can only create watches for its own agent." },
  404: { code: "not_found", message: "channel not found" },
  409: { code: "number_in_use", message: "+15550001111 in account AC… already belongs to channel sms (ch_…)." },
  413: { code: "payload_too_large", message: "Request bodies are limited to 256 KiB." },
  415: { code: "unsupported_media_type", message: "Send a JSON body with Content-Type: application/json." },
  426: { code: "upgrade_required", message: "Connect with a WebSocket." },
  429: { code: "too_many_attempts", message: "Too many wrong credentials from this client; try again in 10 minutes." },
  500: { code: "internal_error", message: "Something went wrong on our side." },
};

const SECURITY: Record<Auth, Json[]> = {
  admin: [{ adminToken: [] }],
  agent: [{ agentKey: [] }],
  admin_or_agent: [{ adminToken: [] }, { agentKey: [] }],
  twilio: [],
  none: [],
};
/** What each kind of auth can answer besides the route's own errors. */
const AUTH_ERRORS: Record<Auth, number[]> = { admin: [401, 429], agent: [401, 429], admin_or_agent: [401, 429], twilio: [403], none: [] };

const SCHEMA_REF = "#/components/schemas/";

/** components/schemas, filled as operations are converted; a name used by two different schemas is a bug, said loudly. */
class Components {
  readonly schemas: Record<string, Json> = {};

  /** JSON Schema for `schema`, with every named schema inside it moved to components and referred to. */
  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const { $schema: _, $defs, ...root } = z.toJSONSchema(schema, { io, unrepresentable: "any", override: quieter }) as Json & { $defs?: Record<string, Json> };
    const defs = Object.entries($defs ?? {});
    const same = new Map(defs.map(([id]) => [id, id]));
    const names = new Map(defs.map(([id, def]) => [id, this.#nameFor(id, JSON.stringify(relink(def, same)), io)]));
    for (const [id, def] of defs) this.schemas[names.get(id)!] = relink(def, names);
    return relink(root, names);
  }

  #nameFor(id: string, json: string, io: "input" | "output"): string {
    // The same schema can read differently as a request (input) and as an answer (output): then two components.
    for (const name of io === "input" ? [id, `${id}Input`] : [id, `${id}Output`]) {
      const known = this.schemas[name];
      if (!known || JSON.stringify(known) === json) return name;
    }
    throw new Error(`OpenAPI: two different schemas are named ${id}`);
  }
}

/** Leaves out what zod spells out but a reader does not need: the date-time regex beside format, int64-safe bounds. */
function quieter({ jsonSchema: s }: { jsonSchema: Json }) {
  if (s.format === "date-time") delete s.pattern;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
}

/** Rewrites zod's `#/$defs/X` references to `#/components/schemas/<name>`. */
function relink(node: Json, names: Map<string, string>): Json {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" && x.startsWith("#/$defs/") ? SCHEMA_REF + names.get(x.slice(8)) : walk(x)]),
    );
  };
  return walk(node) as Json;
}

function parameters(where: "path" | "query" | "header", shape: z.ZodObject | undefined, c: Components): Json[] {
  return Object.entries(shape?.shape ?? {}).map(([name, field]) => {
    const { description, ...schema } = c.convert(field as z.ZodType, "input");
    const required = where === "path" || !(field as z.ZodType).safeParse(undefined).success;
    return { name, in: where, required, ...(description ? { description } : {}), schema };
  });
}

const content = (c: Components, type: string, schema: z.ZodType | undefined, io: "input" | "output", example: unknown) => ({
  [type]: { ...(schema ? { schema: c.convert(schema, io) } : {}), ...(example === undefined ? {} : { example }) },
});

function operation(spec: RouteSpec, c: Components): Json {
  const params = [
    ...parameters("path", spec.params, c),
    ...parameters("query", spec.query, c),
    ...parameters("header", spec.headers, c),
    ...(spec.auth === "twilio"
      ? [{ name: "x-twilio-signature", in: "header", required: true, description: "Twilio's HMAC-SHA1 signature of the public URL and the form.", schema: { type: "string" } }]
      : []),
  ];
  const bodies = { ...(spec.body ? { "application/json": { schema: spec.body, example: spec.example } } : {}), ...spec.accepts };
  const responses: Json = {};
  for (const [status, reply] of Object.entries(spec.responses)) {
    const bodies = reply.schema || reply.example !== undefined ? { [reply.type ?? "application/json"]: { schema: reply.schema, example: reply.example }, ...reply.alternatives } : {};
    const media = Object.entries(bodies).map(([type, b]) => content(c, type, b.schema, "output", b.example));
    responses[status] = { description: reply.description, ...(media.length ? { content: Object.assign({}, ...media) } : {}) };
  }
  // Every operation can fail on our side; one with a body can be sent too much of it (256 KiB for all of /api).
  const implied = [...AUTH_ERRORS[spec.auth], ...(Object.keys(bodies).length ? [413] : []), 500];
  for (const status of [...new Set([...spec.errors, ...implied])].sort()) responses[status] ??= { $ref: `#/components/responses/E${status}` };
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: SECURITY[spec.auth],
    ...(params.length ? { parameters: params } : {}),
    ...(Object.keys(bodies).length
      ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(bodies).map(([type, b]) => [type, content(c, type, b.schema, "input", b.example)[type]])) } }
      : {}),
    responses,
  };
}

/** Hono's `/a/:id/` as OpenAPI's `/a/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}").replace(/(.)\/$/, "$1");

/** The operations among `routes` (the app's route table): each route whose handlers include a contract. */
export function describedRoutes(routes: RouterRoute[]): { method: string; path: string; spec: RouteSpec }[] {
  return routes.flatMap((r) => {
    const spec = specOf(r.handler);
    return spec ? [{ method: r.method.toLowerCase(), path: openApiPath(r.path), spec }] : [];
  });
}

export function buildOpenApiDocument(routes: RouterRoute[]): Json {
  const c = new Components();
  const paths: Record<string, Json> = {};
  const tags: string[] = [];
  for (const { method, path, spec } of describedRoutes(routes)) {
    (paths[path] ??= {})[method] = operation(spec, c);
    if (!tags.includes(spec.tag)) tags.push(spec.tag);
  }
  const error = c.convert(ErrorBody, "output");
  const responses = Object.fromEntries(
    Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
      `E${status}`,
      {
        description,
        content: { "application/json": { schema: error, example: { error: ERROR_EXAMPLES[Number(status)] } } },
        ...(status === "429" ? { headers: { "Retry-After": { description: "Seconds until the client may try again.", schema: { type: "integer", minimum: 1 } } } } : {}),
      },
    ]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "textgate",
      version: "0.1.0",
      description:
        "Connect a Twilio phone number to AI agents. JSON over HTTPS; every error is {error:{code,message,details?}}. " +
        "This document and the reference page at /api/docs are public; everything else under /api needs a credential.",
    },
    servers: [{ url: "/" }],
    security: SECURITY.admin,
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: c.schemas,
      responses,
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret. (The settings UI uses a session cookie instead.)" },
        agentKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "tgk_…",
          description: "A per-agent API key from POST /api/agents/{id}/keys; valid only on /api/signals/*, /api/media/* and /mcp, for that agent's watches and its channels' media.",
        },
      },
    },
  };
}
