// /mcp: JSON-RPC 2.0 messages (the official MCP SDK handles the protocol), and the one tool call textgate offers.
import { z } from "zod";
import { AwaitSignalArguments, AwaitSignalOutcome } from "./signals";
import { component } from "./common";

const RpcId = z.union([z.string(), z.number().int(), z.null()]);

export const JsonRpcMessage = component(
  "JsonRpcMessage",
  z.object({
    jsonrpc: z.literal("2.0"),
    id: RpcId.optional(),
    method: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  }),
  "A JSON-RPC 2.0 request, notification or response.",
);

export const AwaitSignalCall = component(
  "AwaitSignalCall",
  z.object({
    jsonrpc: z.literal("2.0"),
    id: RpcId,
    method: z.literal("tools/call"),
    params: z.object({ name: z.literal("await_signal"), arguments: AwaitSignalArguments, _meta: z.object({ progressToken: z.union([z.string(), z.number()]) }).optional() }),
  }),
  "Calling the await_signal tool (after the initialize handshake). Send _meta.progressToken to get a progress notification every 15 s while it waits.",
);

export const AwaitSignalReply = component(
  "AwaitSignalReply",
  z.object({
    jsonrpc: z.literal("2.0"),
    id: RpcId,
    result: z.object({
      content: z.array(z.object({ type: z.literal("text"), text: z.string().describe("structuredContent as JSON text.") })),
      structuredContent: AwaitSignalOutcome,
      isError: z.boolean(),
    }),
  }),
  "The await_signal call's JSON-RPC response (the last SSE event of the stream).",
);

export const McpRequest = z.union([AwaitSignalCall, JsonRpcMessage]);
