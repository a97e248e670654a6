// An offline, deterministic model ("builtin:echo") so a channel works, and the whole turn pipeline can be tested,
// without any provider account. It exercises the tool loop: ask for current_time, then echo with the answer, and
// says how many pictures it was given (an MMS), so media are visible offline too.
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Text,
  LanguageModelV4ToolCall,
} from "@ai-sdk/provider";

const TIME_TOOL = "current_time";

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

function respond(options: LanguageModelV4CallOptions): Reply {
  const { text, pictures, after } = splitAtLastUser(options.prompt);
  const offered = options.tools?.some((t) => t.type === "function" && t.name === TIME_TOOL) && options.toolChoice?.type !== "none";
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
  const answer = (time === undefined ? `Echo: ${text}` : `Echo: ${text} (it is ${time})`) + seen;
  return { content: [{ type: "text", text: answer }], finishReason: { unified: "stop", raw: "stop" } };
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
