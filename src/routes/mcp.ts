// /mcp: the Model Context Protocol over streamable HTTP, so an external agent holding an agent API key can call
// await_signal with no glue code. Stateless: each POST gets a fresh server and transport from the official SDK.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { z } from "zod";
import { AWAIT_SIGNAL_DESCRIPTION, AwaitSignalInput, awaitSignalFor } from "../agent/await-signal";
import { AppError } from "../lib/errors";
import type { Principal } from "../signals/service";
import { requireAgentKey } from "./agent-auth";
import { route, type RouteSpec } from "./contract";
import { AwaitSignalReply, JsonRpcMessage, McpRequest } from "./schemas/mcp";

/** While a call waits, a progress notification this often keeps clients that reset their timeout on progress patient. */
const HEARTBEAT_MS = 15_000;

function mcpServer(env: Env, who: Extract<Principal, { kind: "agent" }>): McpServer {
  const server = new McpServer({ name: "textgate", version: "0.1.0" }, { capabilities: { tools: {} } });
  server.registerTool(
    "await_signal",
    { title: "Await an SMS signal", description: AWAIT_SIGNAL_DESCRIPTION, inputSchema: AwaitSignalInput, annotations: { readOnlyHint: false, openWorldHint: true } },
    async (input, extra) => {
      const token = extra._meta?.progressToken;
      let beats = 0;
      const heartbeat =
        token === undefined
          ? null
          : setInterval(() => {
              const params = { progressToken: token, progress: ++beats, message: "waiting for a signal" };
              extra.sendNotification({ method: "notifications/progress", params }).catch(() => {});
            }, HEARTBEAT_MS);
      try {
        const result = await awaitSignalFor(env, who, input);
        return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result, isError: result.status === "error" };
      } finally {
        clearInterval(heartbeat);
      }
    },
  );
  return server;
}

const CALL = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "await_signal", arguments: { from: "22000", regex: "\\b\\d{6}\\b", timeout_s: 120 } } };
const RESULT = { watch_id: "wt_4h8m2q6t0x3b7f1k5n9r", status: "timed_out" };
const notOffered = (operationId: string, summary: string): RouteSpec => ({
  operationId,
  tag: "mcp",
  summary,
  auth: "agent",
  responses: { 405: { description: "Method not allowed (Allow: POST).", schema: JsonRpcMessage, example: { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: POST JSON-RPC messages to /mcp." }, id: null } } },
  errors: [],
});
const methodNotAllowed = (c: { json: (body: unknown, status: 405, headers: Record<string, string>) => Response }) =>
  c.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: POST JSON-RPC messages to /mcp." }, id: null }, 405, { allow: "POST" });

export const mcpRoutes = new Hono<{ Bindings: Env }>()
  .use(requireAgentKey)
  .post(
    "/",
    route({
      operationId: "mcp",
      tag: "mcp",
      summary: "Model Context Protocol (streamable HTTP, stateless). Tools: await_signal.",
      description:
        "Send Accept: application/json, text/event-stream. Start with initialize, then tools/list or tools/call (AwaitSignalCall). The answer is an SSE stream: progress notifications while await_signal waits, then the result (AwaitSignalReply).",
      auth: "agent",
      accepts: { "application/json": { schema: McpRequest, example: CALL } },
      responses: {
        200: {
          description: "The JSON-RPC response, as an SSE stream (progress notifications while await_signal waits, then the result).",
          type: "text/event-stream",
          schema: z.string(),
          example: `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: JSON.stringify(RESULT) }], structuredContent: RESULT, isError: false } })}\n\n`,
          alternatives: { "application/json": { schema: z.union([AwaitSignalReply, JsonRpcMessage]) } },
        },
        202: { description: "Accepted (the POST held only notifications)." },
        400: { description: "Malformed JSON-RPC.", schema: JsonRpcMessage, example: { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: Invalid JSON" }, id: null } },
        406: { description: "The Accept header lacks application/json or text/event-stream.", schema: JsonRpcMessage },
      },
      errors: [],
    }),
    async (c) => {
      const principal = c.get("principal");
      if (principal?.kind !== "agent") throw new AppError(401, "unauthorized", "Send Authorization: Bearer <agent API key> (tgk_…).");
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await mcpServer(c.env, principal).connect(transport);
      return transport.handleRequest(c.req.raw);
    },
  )
  // Stateless: there is no server-initiated stream to open and no session to end.
  .get("/", route(notOffered("mcpGet", "Not offered (stateless server, no stream to open): 405.")), (c) => methodNotAllowed(c))
  .delete("/", route(notOffered("mcpDelete", "Not offered (no sessions to end): 405.")), (c) => methodNotAllowed(c));
