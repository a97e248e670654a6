// A fake OpenAI-compatible chat API for tests (Node, started by vitest.config.ts). Each test registers a script
// under a marker it puts in its user message, so parallel test files never share replies. A script says what
// each successive call returns: text, tool calls, an HTTP error, a dropped connection, optionally after a delay.
// Every request is recorded; anything unscripted is answered 500 and recorded under `unexpected`, loudly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

const StepSchema = z
  .object({
    text: z.string().optional(),
    tool_calls: z.array(z.object({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}) })).optional(),
    error: z.object({ status: z.number().int().min(400).max(599), message: z.string().optional() }).optional(),
    drop: z.boolean().optional(),
    delay_ms: z.number().int().min(0).max(60_000).optional(),
    times: z.union([z.number().int().min(1), z.literal("always")]).default(1),
  })
  .refine((s) => s.text !== undefined || s.tool_calls || s.error || s.drop, "a step needs text, tool_calls, error or drop");
const ScriptSchema = z.object({ marker: z.string().min(8), steps: z.array(StepSchema).min(1) });
export type FakeStep = z.input<typeof StepSchema>;

export interface RecordedRequest {
  model: unknown;
  stream: boolean;
  messages: unknown[];
  tools: string[];
  tool_choice: unknown;
  response_format: unknown;
  authorization: string | undefined;
}
interface Script {
  steps: z.output<typeof StepSchema>[];
  requests: RecordedRequest[];
}

export interface FakeOpenAI {
  url: string;
  server: Server;
  scripts: Map<string, Script>;
  unexpected: string[];
  close(): Promise<void>;
}

const MessageSchema = z.looseObject({ role: z.string(), content: z.unknown() });
const BodySchema = z.looseObject({
  model: z.unknown().optional(),
  stream: z.boolean().optional(),
  messages: z.array(MessageSchema),
  tools: z.array(z.looseObject({ function: z.object({ name: z.string() }) })).optional(),
  tool_choice: z.unknown().optional(),
  response_format: z.unknown().optional(),
});

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((p: { text?: unknown }) => (typeof p?.text === "string" ? p.text : "")).join("")
      : "";

/** `onDrop`: told of each connection a "drop" step closes (the tests account for workerd's log of it). */
export async function startFakeOpenAI(port = 0, onDrop: () => void = () => {}): Promise<FakeOpenAI> {
  const scripts = new Map<string, Script>();
  const unexpected: string[] = [];

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const apiError = (res: ServerResponse, status: number, message: string) =>
    send(res, status, { error: { message, type: status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null } });
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (c) => (data += c));
      req.on("end", () => resolve(data));
    });
  const loud = (res: ServerResponse, what: string) => {
    unexpected.push(what);
    return apiError(res, 500, `fake-openai: ${what}`);
  };

  function control(req: IncomingMessage, res: ServerResponse, path: string, raw: string) {
    if (req.method === "POST" && path === "/__fake/scripts") {
      let json: unknown;
      try {
        json = JSON.parse(raw || "{}");
      } catch {
        return send(res, 400, { error: "script body is not JSON" });
      }
      const parsed = ScriptSchema.safeParse(json);
      if (!parsed.success) return send(res, 400, { error: z.prettifyError(parsed.error) });
      if (scripts.has(parsed.data.marker)) return send(res, 409, { error: `script ${parsed.data.marker} already registered` });
      scripts.set(parsed.data.marker, { steps: parsed.data.steps, requests: [] });
      return send(res, 201, { marker: parsed.data.marker });
    }
    const m = /^\/__fake\/scripts\/([^/]+)$/.exec(path);
    const script = m ? scripts.get(decodeURIComponent(m[1]!)) : undefined;
    if (req.method === "GET" && script) return send(res, 200, { requests: script.requests, remaining: script.steps });
    if (req.method === "GET" && path === "/__fake/unexpected") return send(res, 200, { unexpected });
    return send(res, 404, { error: `unknown control route ${req.method} ${path}` });
  }

  function completion(step: z.output<typeof StepSchema>, callIdPrefix: string, model: unknown) {
    const toolCalls = (step.tool_calls ?? []).map((c, i) => ({
      id: `${callIdPrefix}_${i}`,
      type: "function" as const,
      function: { name: c.name, arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments) },
    }));
    const content = step.text ?? null;
    const completionTokens = Math.ceil(((content ?? "") + JSON.stringify(toolCalls)).length / 4);
    return {
      id: `chatcmpl-${callIdPrefix}`,
      created: 1_790_000_000,
      model: typeof model === "string" ? model : "fake",
      toolCalls,
      content,
      finish_reason: toolCalls.length ? "tool_calls" : "stop",
      usage: { prompt_tokens: 10, completion_tokens: completionTokens, total_tokens: 10 + completionTokens },
    };
  }

  function sendJson(res: ServerResponse, c: ReturnType<typeof completion>) {
    const message = { role: "assistant", content: c.content, ...(c.toolCalls.length ? { tool_calls: c.toolCalls } : {}) };
    send(res, 200, { id: c.id, object: "chat.completion", created: c.created, model: c.model, choices: [{ index: 0, message, finish_reason: c.finish_reason }], usage: c.usage });
  }

  // The AI SDK's generateText does not stream, but streamText does; this keeps the fake usable for both.
  function sendStream(res: ServerResponse, c: ReturnType<typeof completion>) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta: object, finish_reason: string | null = null, usage?: object) =>
      res.write(`data: ${JSON.stringify({ id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model, choices: [{ index: 0, delta, finish_reason }], ...(usage ? { usage } : {}) })}\n\n`);
    chunk({ role: "assistant", content: "" });
    if (c.content) for (const piece of c.content.match(/.{1,8}/gs) ?? []) chunk({ content: piece });
    c.toolCalls.forEach((t, index) => chunk({ tool_calls: [{ index, id: t.id, type: "function", function: { name: t.function.name, arguments: t.function.arguments } }] }));
    chunk({}, c.finish_reason, c.usage);
    res.end("data: [DONE]\n\n");
  }

  async function chat(req: IncomingMessage, res: ServerResponse, raw: string) {
    let body: z.output<typeof BodySchema>;
    try {
      body = BodySchema.parse(JSON.parse(raw));
    } catch (e) {
      return loud(res, `malformed chat request: ${e instanceof Error ? e.message : String(e)}`);
    }
    const lastUser = textOf(body.messages.findLast((m) => m.role === "user")?.content);
    const marker = [...scripts.keys()].find((k) => lastUser.includes(k));
    const script = marker ? scripts.get(marker) : undefined;
    if (!script) return loud(res, `no script matches the last user message ${JSON.stringify(lastUser.slice(0, 200))}; register one with POST /__fake/scripts`);
    script.requests.push({
      model: body.model,
      stream: body.stream === true,
      messages: body.messages,
      tools: (body.tools ?? []).map((t) => t.function.name),
      tool_choice: body.tool_choice,
      response_format: body.response_format,
      authorization: req.headers.authorization,
    });
    if (!/^Bearer \S+/.test(req.headers.authorization ?? "")) return apiError(res, 401, "Incorrect API key provided (fake-openai saw none).");

    const step = script.steps.find((s) => s.times === "always" || s.times > 0);
    if (!step) return loud(res, `script ${marker} is exhausted after ${script.requests.length - 1} calls`);
    if (step.times !== "always") step.times--;
    if (step.delay_ms) await new Promise((r) => setTimeout(r, step.delay_ms));
    if (step.drop) {
      onDrop();
      return req.socket.destroy();
    }
    if (step.error) return apiError(res, step.error.status, step.error.message ?? `Injected ${step.error.status} from fake-openai`);
    const c = completion(step, `call_${script.requests.length}`, body.model);
    return body.stream ? sendStream(res, c) : sendJson(res, c);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    if (url.pathname.startsWith("/__fake/")) return control(req, res, url.pathname, raw);
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") return chat(req, res, raw);
    unexpected.push(`${req.method} ${url.pathname}`);
    return apiError(res, 404, `fake-openai does not implement ${req.method} ${url.pathname}`);
  });

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    scripts,
    unexpected,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
