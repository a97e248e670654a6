// The optional judge of a signal watch (issue 13 §4): a watch with `instructions` has each candidate that passed
// its filters judged by the watching agent's model. This folder is the pure part: the result_schema boundary, the
// prompt, reading the answer, builtin:echo's judge and the evaluations record. src/agent/judge.ts makes the call.
export { readJudgeAnswer, isMatch, MAX_ANSWER_CHARS, type Judgment } from "./answer";
export { echoJudgeAnswer, quotedPhrases } from "./echo";
export { evaluationOf, mayJudge, type Evaluation } from "./evaluations";
export type { JsonValue } from "./json-bounds";
export { judgePrompt, candidateData, type JudgePrompt, type JudgeTask } from "./prompt";
export { checkResult, checkResultSchema, MAX_RESULT_SCHEMA_DEPTH, RESULT_SCHEMA_DRAFT, type ResultSchemaCheck } from "./result-schema";
