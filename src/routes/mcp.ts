// /mcp: the Model Context Protocol over streamable HTTP, so an external agent holding an agent API key can call
// await_signal with no glue code. Stateless: each POST gets a fresh server and transport from the official SDK.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { AWAIT_SIGNAL_DESCRIPTION, AwaitSignalInput, awaitSignalFor } from "../agent/await-signal";
import { AppError } from "../lib/errors";
import type { Principal } from "../signals/service";
import { requireAgentKey } from "./agent-auth";

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

export const mcpRoutes = new Hono<{ Bindings: Env }>()
  .use(requireAgentKey)
  .post("/", async (c) => {
    const principal = c.get("principal");
    if (principal?.kind !== "agent") throw new AppError(401, "unauthorized", "Send Authorization: Bearer <agent API key> (tgk_…).");
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcpServer(c.env, principal).connect(transport);
    return transport.handleRequest(c.req.raw);
  })
  // Stateless: there is no server-initiated stream to open and no session to end.
  .on(["GET", "DELETE"], "/", (c) => c.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: POST JSON-RPC messages to /mcp." }, id: null }, 405, { allow: "POST" }));
