// One agent turn: the owner's text plus the channel's history in, every step's text out. The tool loop is
// bounded by maxSteps so a model that keeps calling tools cannot run up cost; the caller sends the SMS.
import { generateText, isStepCount, type ImagePart, type LanguageModel, type ModelMessage, type ToolSet } from "ai";
import { toModelError } from "./errors";

export interface TurnInput {
  model: LanguageModel;
  instructions: string;
  history: { role: "user" | "assistant"; content: string }[];
  userText: string;
  /** Pictures that came with the text (an MMS), given to the model beside it. */
  images?: ImagePart[];
  tools: ToolSet;
  /** Model calls allowed in this turn, tool-calling ones included. */
  maxSteps?: number;
  abortSignal?: AbortSignal;
}

export interface TurnUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

export interface TurnResult {
  /** Text of each step that said something, in order; a step that only called tools adds nothing. */
  stepTexts: string[];
  /** Text of the last step; empty when the turn ended on a tool call (maxSteps reached). */
  finalText: string;
  steps: number;
  toolCalls: { name: string; input: unknown }[];
  /** Why the last step ended: "stop" normally, "tool-calls" when maxSteps cut the loop short. */
  finishReason: string;
  usage?: TurnUsage;
}

export const DEFAULT_MAX_STEPS = 5;

export async function runTurn(input: TurnInput): Promise<TurnResult> {
  const messages: ModelMessage[] = [
    ...input.history.map((m): ModelMessage => ({ role: m.role, content: m.content })),
    { role: "user", content: input.images?.length ? [{ type: "text", text: input.userText }, ...input.images] : input.userText },
  ];
  let result;
  try {
    result = await generateText({
      model: input.model,
      instructions: input.instructions,
      messages,
      tools: input.tools,
      stopWhen: isStepCount(input.maxSteps ?? DEFAULT_MAX_STEPS),
      abortSignal: input.abortSignal,
      // The queue consumer owns retries (with backoff and a dead-letter queue); retrying here too would multiply
      // the attempts and hold a consumer slot through the SDK's own sleeps.
      maxRetries: 0,
    });
  } catch (error) {
    throw toModelError(error);
  }

  const { inputTokens, outputTokens, totalTokens } = result.totalUsage;
  const counted = [inputTokens, outputTokens, totalTokens].some((n) => n !== undefined);
  return {
    stepTexts: result.steps.map((s) => s.text.trim()).filter((t) => t !== ""),
    finalText: result.text.trim(),
    steps: result.steps.length,
    toolCalls: result.steps.flatMap((s) => s.toolCalls.map((c) => ({ name: c.toolName, input: c.input }))),
    finishReason: result.finishReason,
    ...(counted ? { usage: { inputTokens, outputTokens, totalTokens } } : {}),
  };
}
