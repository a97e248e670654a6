// The judge of agents on `builtin:echo`: deterministic and offline, so watches with instructions work (and are
// tested) without a provider. It matches when every phrase the instructions put in double quotes appears in the SMS
// body (any case); instructions with no quoted phrase match every candidate the filters let through. Its result fills
// the result_schema's top-level properties it knows by name from the SMS, and leaves the rest out.
import type { Schema } from "@cfworker/json-schema";
import { readableBody } from "../limits";
import type { Signal } from "../watch";
import type { JudgeTask } from "./prompt";

// "…", “…” and «…»: straight quotes, typographic quotes and guillemets.
const QUOTED = /"([^"\n]{1,200})"|“([^”\n]{1,200})”|«\s?([^»\n]{1,200}?)\s?»/g;

/** The phrases the echo judge looks for, lowercased, in the order written. */
export function quotedPhrases(instructions: string): string[] {
  return [...instructions.matchAll(QUOTED)].map((m) => (m[1] ?? m[2] ?? m[3] ?? "").trim().toLowerCase()).filter((p) => p !== "");
}

/** What the echo judge fills a property with, by the property's name. */
function known(candidate: Signal): Record<string, unknown> {
  return {
    code: candidate.code,
    codes: candidate.codes,
    link: candidate.links[0] ?? null,
    links: candidate.links,
    body: candidate.body,
    text: candidate.body,
    from: candidate.from,
    sender: candidate.from,
    categories: candidate.categories,
    received_at: new Date(candidate.receivedAt).toISOString(),
  };
}

/** The echo judge's answer, as a model's would be parsed: `{match, result?}`. */
export function echoJudgeAnswer(task: JudgeTask, candidate: Signal): { match: boolean; result?: Record<string, unknown> } {
  const body = readableBody(candidate.body).toLowerCase();
  const match = quotedPhrases(task.instructions).every((p) => body.includes(p));
  if (!match || !task.resultSchema) return { match };
  const facts = known(candidate);
  const properties: Schema["properties"] = task.resultSchema.properties ?? {};
  const result = Object.fromEntries(Object.keys(properties).filter((k) => Object.hasOwn(facts, k)).map((k) => [k, facts[k]]));
  return { match, result };
}
