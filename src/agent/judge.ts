// Runs a signal watch's judge: one call to the watching agent's model with the judge prompt, no tools, a bounded
// time and answer, no retries (the channel object's schedule owns retries, and a lost judgment is simply re-run).
// Whatever happens comes back as a Judgment; nothing here throws, so a failed call counts as no match, with a reason.
import type { Schema } from "@cfworker/json-schema";
import { generateText, jsonSchema, NoObjectGeneratedError, NoOutputGeneratedError, Output } from "ai";
import { echoJudgeAnswer, judgePrompt, readJudgeAnswer, type Judgment, type JudgeTask } from "../domain/signals/judge";
import type { Signal } from "../domain/signals";
import { AgentConfigError, toModelError } from "./errors";
import { resolveModel, type ModelEnv } from "./models";

/** How long a judgment may take before it counts as failed. */
export const JUDGE_TIMEOUT_MS = 20_000;
/** Tokens the judge may answer with: `{match, result}` for one SMS needs far fewer. */
export const JUDGE_MAX_OUTPUT_TOKENS = 1_024;

export interface JudgeCall {
  /** The watching agent's model string ("openai:…", "workers-ai:…", "builtin:echo"; null: the default). */
  model: string | null;
  task: JudgeTask;
  candidate: Signal;
}

export interface JudgeOptions {
  timeoutMs?: number;
  /** The data block's nonce; random unless a test fixes it. */
  nonce?: string;
}

/** Judges one candidate for one watch. */
export async function judgeCandidate(env: ModelEnv, call: JudgeCall, options: JudgeOptions = {}): Promise<Judgment> {
  let model;
  try {
    model = resolveModel(call.model, env);
  } catch (err) {
    if (err instanceof AgentConfigError) return { outcome: "failed", reason: err.message };
    throw err;
  }
  if (model.provider === "builtin") return readJudgeAnswer(echoJudgeAnswer(call.task, call.candidate), call.task.resultSchema);

  const prompt = judgePrompt(call.task, call.candidate, options.nonce ?? randomNonce());
  const timeoutMs = options.timeoutMs ?? JUDGE_TIMEOUT_MS;
  try {
    const { output } = await generateText({
      model,
      instructions: prompt.system,
      messages: [{ role: "user", content: prompt.user }],
      // Providers with structured outputs get the answer's schema; the others are asked for a JSON object.
      output: Output.object({ schema: jsonSchema(answerSchema(call.task.resultSchema)), name: "judgment" }),
      maxOutputTokens: JUDGE_MAX_OUTPUT_TOKENS,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    return readJudgeAnswer(output, call.task.resultSchema);
  } catch (err) {
    if (NoObjectGeneratedError.isInstance(err)) return { outcome: "invalid", reason: "the answer is not JSON" };
    // A step that ended on a tool call (none was offered) or on nothing at all.
    if (NoOutputGeneratedError.isInstance(err)) return { outcome: "invalid", reason: "the answer holds no JSON object (the model tried to call a tool, or said nothing)" };
    if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return { outcome: "failed", reason: `no answer within ${timeoutMs / 1000} s` };
    return { outcome: "failed", reason: toModelError(err).message };
  }
}

/** The answer's shape, for providers that can hold the model to it (the server checks it again regardless). */
function answerSchema(resultSchema: Schema | null) {
  return {
    type: "object" as const,
    properties: { match: { type: "boolean" as const }, ...(resultSchema ? { result: resultSchema } : {}) },
    required: ["match"],
    additionalProperties: false,
  };
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
