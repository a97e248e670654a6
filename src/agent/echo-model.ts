// An offline, deterministic model ("builtin:echo") so a channel works, and the whole turn pipeline can be tested,
// without any provider account. It exercises the tool loop: ask for current_time, then echo with the answer, and
// says how many pictures it was given (an MMS), so media are visible offline too. A text "await_signal {json}" makes
// it call await_signal with that input, and a conversation resumed by a signal watch is answered with what the
// watch found, so long waits can be tried (and measured) offline too.
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Text,
  LanguageModelV4ToolCall,
} from "@ai-sdk/provider";
import { settlementsIn } from "../domain/signals/continuation";

const TIME_TOOL = "current_time";
const AWAIT_TOOL = "await_signal";
const AWAIT_COMMAND = /^\s*await_signal\s+(\{[\s\S]*\})\s*$/;

/** Text of the last user message, and everything the conversation did after it (this turn's tool loop). */
function splitAtLastUser(prompt: LanguageModelV4Prompt) {
  const index = prompt.findLastIndex((m) => m.role === "user");
  const last = prompt[index];
  const text = last?.role === "user" ? last.content.map((p) => (p.type === "text" ? p.text : "")).join("") : "";
  const pictures = last?.role === "user" ? last.content.filter((p) => p.type === "file" && p.mediaType.startsWith("image")).length : 0;
  return { text, pictures, after: prompt.slice(index + 1) };
}

function timeFromResult(after: LanguageModelV4Prompt): string | undefined {
  for (const message of after) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type !== "tool-result" || part.toolName !== TIME_TOOL) continue;
      const out = part.output;
      if (out.type === "json" && typeof out.value === "object" && out.value && "iso" in out.value) return String(out.value.iso);
      return "unknown"; // the tool failed; still answer rather than loop
    }
  }
  return undefined;
}

type Reply = { content: (LanguageModelV4Text | LanguageModelV4ToolCall)[]; finishReason: LanguageModelV4FinishReason };

const stop = (text: string): Reply => ({ content: [{ type: "text", text }], finishReason: { unified: "stop", raw: "stop" } });
const offers = (options: LanguageModelV4CallOptions, name: string) => options.tools?.some((t) => t.type === "function" && t.name === name) && options.toolChoice?.type !== "none";

/** await_signal's result, in a few words: its status, the watch, and the code if one came. */
function awaitedResult(after: LanguageModelV4Prompt): string | undefined {
  for (const message of after) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type !== "tool-result" || part.toolName !== AWAIT_TOOL) continue;
      const r = part.output.type === "json" && typeof part.output.value === "object" && part.output.value ? (part.output.value as Record<string, unknown>) : {};
      const signal = typeof r.signal === "object" && r.signal ? (r.signal as { code?: unknown }) : {};
      return [r.status ?? "error", r.watch_id, r.resumes ? "(I will text you when it settles)" : undefined, signal.code ? `code ${signal.code}` : undefined, r.message]
        .filter((x) => x !== undefined && x !== null)
        .join(" ");
    }
  }
  return undefined;
}

function respond(options: LanguageModelV4CallOptions): Reply {
  const { text, pictures, after } = splitAtLastUser(options.prompt);
  const resumed = settlementsIn(text);
  if (resumed.length) {
    return stop(`Echo: ${resumed.map((s) => `watch ${s.title ?? s.watch_id} ${s.status}${s.signal?.code ? ` code ${s.signal.code}` : ""}`).join("; ")}`);
  }
  const command = AWAIT_COMMAND.exec(text);
  if (command && offers(options, AWAIT_TOOL)) {
    const awaited = awaitedResult(after);
    if (awaited !== undefined) return stop(`Echo: await_signal ${awaited}`);
    return { content: [{ type: "tool-call", toolCallId: "echo-await-1", toolName: AWAIT_TOOL, input: command[1]! }], finishReason: { unified: "tool-calls", raw: "tool_calls" } };
  }
  const offered = offers(options, TIME_TOOL);
  const time = timeFromResult(after);
  if (offered && time === undefined) {
    // Ids only need to be unique within the conversation; counting earlier calls keeps them deterministic.
    const earlier = options.prompt.flatMap((m) => (m.role === "assistant" ? m.content : [])).filter((p) => p.type === "tool-call").length;
    return {
      content: [
        { type: "text", text: "Let me check the time." },
        { type: "tool-call", toolCallId: `echo-call-${earlier + 1}`, toolName: TIME_TOOL, input: "{}" },
      ],
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
    };
  }
  const seen = pictures ? ` I see ${pictures === 1 ? "1 picture" : `${pictures} pictures`}.` : "";
  return stop((time === undefined ? `Echo: ${text}` : `Echo: ${text} (it is ${time})`) + seen);
}

// Rough, deterministic token counts (4 characters a token) so usage accounting has numbers to add up.
const tokens = (s: string) => Math.ceil(s.length / 4);
function usage(options: LanguageModelV4CallOptions, content: Reply["content"]) {
  const input = tokens(JSON.stringify(options.prompt));
  const output = tokens(content.map((c) => (c.type === "text" ? c.text : c.input)).join(""));
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

export function echoModel(): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "builtin",
    modelId: "echo",
    supportedUrls: {},
    async doGenerate(options) {
      const { content, finishReason } = respond(options);
      return { content, finishReason, usage: usage(options, content), warnings: [] };
    },
    async doStream(options) {
      const { content, finishReason } = respond(options);
      const parts: LanguageModelV4StreamPart[] = [{ type: "stream-start", warnings: [] }];
      content.forEach((c, i) => {
        if (c.type === "text") parts.push({ type: "text-start", id: `t${i}` }, { type: "text-delta", id: `t${i}`, delta: c.text }, { type: "text-end", id: `t${i}` });
        else parts.push(c);
      });
      parts.push({ type: "finish", finishReason, usage: usage(options, content) });
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}
