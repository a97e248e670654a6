// GET /api/openapi.json: an OpenAPI 3.1 description of every HTTP endpoint, hand-written from the route files so
// clients and agents can discover the API. Public (no auth): it describes the API, it does not expose data.
import { Hono } from "hono";
import { ref, schemas } from "./openapi-schemas";

type Obj = Record<string, unknown>;

const json = (schema: Obj) => ({ "application/json": { schema } });
const body = (schema: Obj, required = true) => ({ required, content: json(schema) });
const res = (description: string, schema?: Obj) => (schema ? { description, content: json(schema) } : { description });
const list = (name: string) => ({ type: "array", items: ref(name) });
const path = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "string" } });
const query = (name: string, description: string, schema: Obj) => ({ name, in: "query", required: false, description, schema });
// Wherever a credential can be wrong (401), too many wrong ones can also get the client blocked (429).
const errs = (...codes: number[]) =>
  Object.fromEntries(codes.flatMap((c) => (c === 401 ? [401, 429] : [c])).map((c) => [String(c), { $ref: `#/components/responses/E${c}` }]));
const op = (operationId: string, tag: string, summary: string, responses: Obj, extra: Obj = {}) => ({ operationId, tags: [tag], summary, responses, ...extra });

const channelId = path("id", "The channel's id (ch_…).");
const watchId = path("id", "The watch's id (wt_…).");
const limit = query("limit", "How many, newest first.", { type: "integer", minimum: 1, maximum: 500, default: 50 });
const upgrade = { name: "upgrade", in: "header", required: true, schema: { const: "websocket" } };
const agentOrAdmin = [{ adminToken: [] }, { agentKey: [] }];
const twilioSignature = { name: "x-twilio-signature", in: "header", required: true, description: "Twilio's HMAC-SHA1 signature of the public URL and form.", schema: { type: "string" } };
const twiml = { description: "Accepted: an empty TwiML <Response/>.", content: { "text/xml": { schema: { type: "string" } } } };
const form = (name: string) => ({ required: true, content: { "application/x-www-form-urlencoded": { schema: ref(name) } } });

const paths: Obj = {
  "/api/openapi.json": { get: op("getOpenApi", "meta", "This document.", { 200: res("OpenAPI 3.1 document.", { type: "object" }) }, { security: [] }) },
  "/api/spaces": {
    post: op("createSpace", "spaces", "Create a space.", { 201: res("Created.", ref("Space")), ...errs(400, 401, 415) }, { requestBody: body(ref("CreateSpace")) }),
    get: op("listSpaces", "spaces", "List spaces, oldest first.", { 200: res("Spaces.", list("Space")), ...errs(401) }),
  },
  "/api/agents": {
    post: op("createAgent", "agents", "Create an agent in a space.", { 201: res("Created.", ref("Agent")), ...errs(400, 401, 409, 415) }, { requestBody: body(ref("CreateAgent")) }),
    get: op("listAgents", "agents", "List agents, oldest first.", { 200: res("Agents.", list("Agent")), ...errs(401) }),
  },
  "/api/agents/{id}": {
    get: op("getAgent", "agents", "Get an agent.", { 200: res("The agent.", ref("Agent")), ...errs(401, 404) }, { parameters: [path("id", "The agent's id (ag_…).")] }),
  },
  "/api/agents/{id}/keys": {
    parameters: [path("id", "The agent's id (ag_…).")],
    post: op("createAgentKey", "agent keys", "Make an API key for the agent; the key is returned only here.", { 201: res("Created.", ref("AgentKeyCreated")), ...errs(400, 401, 404, 415) }, { requestBody: body(ref("CreateAgentKey")) }),
    get: op("listAgentKeys", "agent keys", "List the agent's keys (never the keys themselves).", { 200: res("Keys.", list("AgentKey")), ...errs(401, 404) }),
  },
  "/api/agents/{id}/keys/{keyId}": {
    parameters: [path("id", "The agent's id (ag_…)."), path("keyId", "The key's id (key_…).")],
    delete: op("revokeAgentKey", "agent keys", "Revoke a key (idempotent).", { 200: res("The revoked key.", ref("AgentKey")), ...errs(401, 404) }),
  },
  "/api/channels": {
    post: op(
      "createChannel",
      "channels",
      "Create a Twilio SMS channel and register its number's webhook (a failure shows in status and error). 409 number_in_use when another channel has the account + number (details.channel names it).",
      { 201: res("Created.", ref("Channel")), ...errs(400, 401, 409, 415) },
      { requestBody: body(ref("CreateChannel")) },
    ),
    get: op("listChannels", "channels", "List channels.", { 200: res("Channels.", list("Channel")), ...errs(401) }),
  },
  "/api/channels/{id}": {
    parameters: [channelId],
    get: op("getChannel", "channels", "Get a channel.", { 200: res("The channel.", ref("Channel")), ...errs(401, 404) }),
    patch: op(
      "updateChannel",
      "channels",
      "Change the agent, the dispatch mode, the Twilio credentials or the Messaging Service (each Twilio change registers again). 409 number_in_use when the new account + number belongs to another channel.",
      { 200: res("The channel.", ref("Channel")), ...errs(400, 401, 404, 409, 415) },
      { requestBody: body(ref("PatchChannel")) },
    ),
    delete: op("deleteChannel", "channels", "Delete the channel (clears the number's SMS URL when it still points at this channel).", { 200: res("Deleted.", ref("ChannelDeleted")), ...errs(401, 404) }),
  },
  "/api/channels/{id}/connect": {
    parameters: [channelId],
    post: op("connectChannel", "channels", "(Re)register the number's SMS webhook with Twilio; a failure shows in the channel's status and error.", { 200: res("The channel.", ref("Channel")), ...errs(401, 404) }),
  },
  "/api/channels/{id}/disconnect": {
    parameters: [channelId],
    post: op("disconnectChannel", "channels", "Clear the number's SMS webhook (only while it points at this channel) and mark the channel disconnected.", { 200: res("The channel.", ref("ChannelDisconnected")), ...errs(401, 404) }),
  },
  "/api/channels/{id}/diagnostics": {
    parameters: [channelId],
    get: op("channelDiagnostics", "channels", "Run the channel's health checks now (a result a few seconds old is reused): credentials, sms_url, messaging_service, signature, status_callbacks, inbound.", {
      200: res("The checks.", ref("Diagnostics")),
      ...errs(401, 404),
    }),
  },
  "/api/channels/{id}/pairing": {
    parameters: [channelId],
    post: op("newPairingCode", "channels", "Issue a new pairing code; texting it from a phone pairs that phone.", { 201: res("The code.", ref("Pairing")), ...errs(401, 404, 409) }),
  },
  "/api/channels/{id}/paired-addresses/{address}": {
    parameters: [channelId, path("address", "The paired address (E.164, URL-encoded).")],
    delete: op("unpairAddress", "channels", "Unpair an address.", { 200: res("The channel.", ref("Channel")), ...errs(401, 404) }),
  },
  "/api/channels/{id}/messages": {
    parameters: [channelId],
    get: op("listMessages", "channels", "The channel's messages, newest first.", { 200: res("Messages.", list("Message")), ...errs(400, 401, 404) }, { parameters: [limit] }),
  },
  "/api/channels/{id}/turns": {
    parameters: [channelId],
    get: op("listTurns", "channels", "The channel's agent turns, newest first.", { 200: res("Turns.", list("Turn")), ...errs(400, 401, 404) }, { parameters: [limit] }),
  },
  "/api/channels/{id}/events": {
    parameters: [channelId],
    get: op("channelEvents", "channels", "WebSocket of live channel and message events (each frame a ChannelEvent as JSON; send \"ping\" for \"pong\").", {
      101: res("Switching protocols; frames are ChannelEvent JSON.", ref("ChannelEvent")),
      ...errs(401, 404, 426),
    }, { parameters: [upgrade] }),
  },
  "/api/policies": {
    get: op("getPolicy", "policies", "The Cedar policies in force.", { 200: res("Policy.", ref("Policy")), ...errs(401) }),
    put: op("putPolicy", "policies", "Validate and save a new version of the policies.", { 200: res("Saved.", ref("PolicySaved")), ...errs(400, 401, 413, 415) }, {
      requestBody: {
        required: true,
        content: { "text/plain": { schema: { type: "string" } }, "application/cedar": { schema: { type: "string" } }, ...json({ type: "object", properties: { text: { type: "string" } }, required: ["text"] }) },
      },
    }),
  },
  "/api/policies/check": {
    post: op("checkPolicy", "policies", "Explain the decision for a sender reaching an agent on a channel.", { 200: res("Decision.", ref("PolicyDecision")), ...errs(400, 401, 415) }, { requestBody: body(ref("PolicyCheck")) }),
  },
  "/api/signals/watches": {
    post: op("createWatch", "signals", "Create a signal watch (waits for one SMS on signal-mode channels).", { 201: res("Created (matched at once if the lookback found a message).", ref("Watch")), ...errs(400, 401, 403, 415, 429) }, {
      security: agentOrAdmin,
      requestBody: body(ref("WatchRequest")),
    }),
    get: op("listWatches", "signals", "Recent watches of a channel (or of the any-channel hub); an agent key sees its own only.", { 200: res("Watches.", list("Watch")), ...errs(400, 401, 404) }, {
      security: agentOrAdmin,
      parameters: [query("channel_id", "The channel whose watches to list; absent: watches on any channel.", { type: "string" })],
    }),
  },
  "/api/signals/watches/{id}": {
    parameters: [watchId],
    get: op("getWatch", "signals", "Get a watch; with wait > 0, a long-poll that answers as soon as it settles.", { 200: res("The watch.", ref("Watch")), ...errs(400, 401, 404) }, {
      security: agentOrAdmin,
      parameters: [query("wait", "Seconds to wait for the watch to settle.", { type: "number", minimum: 0, maximum: 60, default: 0 })],
    }),
    delete: op("cancelWatch", "signals", "Cancel a watch (a settled one is returned unchanged).", { 200: res("The watch.", ref("Watch")), ...errs(401, 404) }, { security: agentOrAdmin }),
  },
  "/api/signals/watches/{id}/ws": {
    parameters: [watchId],
    get: op("watchSocket", "signals", "WebSocket that pushes the watch's result when it settles.", { 101: res("Switching protocols; frames are WatchPush JSON.", ref("WatchPush")), ...errs(401, 404, 426) }, {
      security: agentOrAdmin,
      parameters: [upgrade],
    }),
  },
  "/webhooks/twilio/sms/{channelId}": {
    parameters: [path("channelId", "The channel's id."), twilioSignature],
    post: op("twilioInboundSms", "webhooks", "Twilio's inbound SMS webhook (signature checked against the public URL).", { 200: twiml, ...errs(400, 403, 404, 413, 415) }, {
      security: [],
      requestBody: form("TwilioInbound"),
    }),
  },
  "/webhooks/twilio/sms/{channelId}/status": {
    parameters: [path("channelId", "The channel's id."), twilioSignature],
    post: op("twilioStatusCallback", "webhooks", "Twilio's delivery status callback for an outbound SMS.", { 200: twiml, ...errs(400, 403, 404, 413, 415) }, {
      security: [],
      requestBody: form("TwilioStatus"),
    }),
  },
  "/mcp": {
    post: op("mcp", "mcp", "Model Context Protocol (streamable HTTP, stateless). Tools: await_signal. Send Accept: application/json, text/event-stream.", {
      200: {
        description: "The JSON-RPC response, as an SSE stream (progress notifications while await_signal waits, then the result).",
        content: { "text/event-stream": { schema: { type: "string" } }, ...json(ref("JsonRpcMessage")) },
      },
      202: res("Accepted (the POST held only notifications)."),
      400: res("Malformed JSON-RPC.", ref("JsonRpcMessage")),
      ...errs(401),
      406: res("The Accept header lacks application/json or text/event-stream.", ref("JsonRpcMessage")),
    }, { security: [{ agentKey: [] }], requestBody: body(ref("JsonRpcMessage")) }),
    get: op("mcpGet", "mcp", "Not offered (stateless server): 405.", { 405: res("Method not allowed.", ref("JsonRpcMessage")), ...errs(401) }, { security: [{ agentKey: [] }] }),
    delete: op("mcpDelete", "mcp", "Not offered (no sessions): 405.", { 405: res("Method not allowed.", ref("JsonRpcMessage")), ...errs(401) }, { security: [{ agentKey: [] }] }),
  },
};

const errorResponse = (description: string) => ({ description, content: json(ref("Error")) });

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "textgate",
    version: "0.1.0",
    description: "Connect a Twilio phone number to AI agents. Every error is {error:{code,message,details?}}.",
  },
  servers: [{ url: "/" }],
  security: [{ adminToken: [] }],
  tags: ["meta", "spaces", "agents", "agent keys", "channels", "policies", "signals", "webhooks", "mcp"].map((name) => ({ name })),
  paths,
  components: {
    schemas,
    securitySchemes: {
      adminToken: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret. (The settings UI uses a session cookie instead.)" },
      agentKey: { type: "http", scheme: "bearer", bearerFormat: "tgk_…", description: "A per-agent API key from POST /api/agents/{id}/keys; valid only on /api/signals/* and /mcp, for that agent's watches." },
    },
    responses: {
      E400: errorResponse("Bad request or validation_error (details.issues lists the fields)."),
      E401: errorResponse("Missing or wrong credentials."),
      E403: errorResponse("Forbidden (e.g. an agent key acting for another agent, signal_forbidden: the policies never let the agent receive a signal there, or a bad Twilio signature)."),
      E404: errorResponse("Not found."),
      E409: errorResponse("Conflict (e.g. number_in_use: another channel has this Twilio account + number; details.channel gives its id and handle)."),
      E413: errorResponse("Payload too large."),
      E415: errorResponse("Unsupported media type."),
      E426: errorResponse("Upgrade required: connect with a WebSocket."),
      E429: {
        ...errorResponse(
          "too_many_attempts: this client sent too many wrong credentials (10 in 10 minutes); every credential, the right one too, is refused until the window ends (with Retry-After). " +
            "On watch creation also too_many_watches: the agent (WATCH_LIMIT_PER_AGENT) or its key (WATCH_LIMIT_PER_KEY) has as many pending watches as allowed; cancel one (no Retry-After).",
        ),
        headers: { "Retry-After": { description: "Seconds until the client may try again.", schema: { type: "integer", minimum: 1 } } },
      },
    },
  },
} as const;

export const openApiRoutes = new Hono<{ Bindings: Env }>().get("/", (c) => c.json(openApiDocument));
