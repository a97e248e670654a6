// What a judge's answer means for the watch. Only a well-formed `{match: true, result}` whose result satisfies the
// watch's result_schema is a match; anything else — malformed, oversized, a result that fails the schema, a call
// that failed — counts as no match, and says why, so the watch's evaluations can show it.
import type { Schema } from "@cfworker/json-schema";
import { jsonDepth, type JsonValue } from "./json-bounds";
import { checkResult } from "./result-schema";

/** Characters of the answer's JSON; a model that writes more is not answering the question. */
export const MAX_ANSWER_CHARS = 8_192;
/** Nesting of the answer's JSON. */
export const MAX_ANSWER_DEPTH = 16;

/**
 * matched: the SMS is what the agent waits for (with `result` when the watch has a result_schema); rejected: the judge
 * said no; invalid: the answer could not be used; failed: no answer (timeout, provider error, no model).
 */
export type Judgment =
  | { outcome: "matched"; result?: JsonValue }
  | { outcome: "rejected" }
  | { outcome: "invalid"; reason: string }
  | { outcome: "failed"; reason: string };

export const isMatch = (j: Judgment): j is Extract<Judgment, { outcome: "matched" }> => j.outcome === "matched";

/** The judgment an answer (already parsed from JSON) gives, against the watch's result schema (null: none). */
export function readJudgeAnswer(answer: unknown, resultSchema: Schema | null): Judgment {
  const invalid = (reason: string): Judgment => ({ outcome: "invalid", reason });
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return invalid("the answer is not a JSON object");
  if (jsonDepth(answer, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH) return invalid(`the answer nests deeper than ${MAX_ANSWER_DEPTH}`);
  if (JSON.stringify(answer).length > MAX_ANSWER_CHARS) return invalid(`the answer is longer than ${MAX_ANSWER_CHARS} characters`);
  const match: unknown = Reflect.get(answer, "match");
  if (typeof match !== "boolean") return invalid('the answer has no boolean "match"');
  if (!match) return { outcome: "rejected" };
  const given: unknown = Reflect.get(answer, "result");
  if (given === undefined) return resultSchema ? invalid('"match" is true but "result" is missing (the watch has a result_schema)') : { outcome: "matched" };
  // Written out and read back: the answer came from JSON, and this makes it plain JSON data, whatever built it.
  const result: JsonValue = JSON.parse(JSON.stringify(given));
  if (!resultSchema) return { outcome: "matched", result };
  const checked = checkResult(resultSchema, result);
  return checked.ok ? { outcome: "matched", result } : invalid(checked.message);
}
