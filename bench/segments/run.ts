// Measures what GSM-7 normalisation saves: every corpus reply goes through composeTurnBody as one turn, with and
// without normalisation, and the segment totals are compared. Also checks the one-SMS-per-turn contract.
// Run: npx tsx bench/segments/run.ts   (exits 1 if the target is missed or a turn yields other than one body)
import { composeTurnBody, containsTypography, MAX_BODY_CHARS, type TurnBody } from "../../src/domain/sms/index.ts";
import { CORPUS, TOOL_STEP_TEXTS } from "./corpus.ts";

const TARGET_REDUCTION = 0.3;
// Every fourth reply is preceded by a tool-calling step's text, as in a real tool loop.
const MULTI_STEP_EVERY = 4;

interface Turn {
  steps: string[];
  plain: TurnBody;
  normalized: TurnBody;
  typographic: boolean;
}

const turns: Turn[] = CORPUS.map((reply, i) => {
  const tool = TOOL_STEP_TEXTS[Math.floor(i / MULTI_STEP_EVERY) % TOOL_STEP_TEXTS.length] ?? "";
  const steps = i % MULTI_STEP_EVERY === 1 ? [tool, reply] : [reply];
  const plain = composeTurnBody(steps, { normalize: false });
  return {
    steps,
    plain,
    normalized: composeTurnBody(steps),
    // Judged on the body as it would be sent, so markdown that is stripped anyway (backticks) does not count.
    typographic: containsTypography(plain.body),
  };
});

// A turn is sent as exactly one message: one non-empty body within Twilio's per-message cap.
const messages = turns.map(({ normalized: { body } }) => (body !== "" && body.length <= MAX_BODY_CHARS ? 1 : 0));
const oneEach = messages.every((n) => n === 1);
const messagesPerTurn = oneEach ? "1" : `mixed(${Math.min(...messages)}-${Math.max(...messages)})`;

const sum = (list: Turn[], pick: (t: Turn) => number) => list.reduce((total, t) => total + pick(t), 0);
const typographic = turns.filter((t) => t.typographic);
const typoWithout = sum(typographic, (t) => t.plain.segments);
const typoWith = sum(typographic, (t) => t.normalized.segments);
const ratio = typoWith / typoWithout;
const reduction = 1 - ratio;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const multiStep = turns.filter((t) => t.steps.length > 1).length;
const stuckInUcs2 = typographic.filter((t) => t.normalized.encoding === "UCS-2").length;
const normalizedCount = typographic.filter((t) => t.normalized.normalized).length;

console.log(`corpus: ${CORPUS.length} replies, ${turns.length} turns (${multiStep} multi-step)`);
console.log(`truncated to ${MAX_BODY_CHARS} chars: ${turns.filter((t) => t.normalized.truncated).length} turns`);
console.log(
  `all turns: segments without=${sum(turns, (t) => t.plain.segments)} with=${sum(turns, (t) => t.normalized.segments)}`,
);
console.log(
  `typographic subset: ${typographic.length} turns, normalised ${normalizedCount}, ` +
    `${stuckInUcs2} stay UCS-2 (emoji or non-GSM letters)`,
);
console.log(
  `typographic subset: segments without=${typoWithout} with=${typoWith} ` +
    `reduction=${pct(reduction)} ratio=${ratio.toFixed(3)}`,
);
console.log(`messages per turn: ${messagesPerTurn} (checked on all ${messages.length} turns)`);
console.log(
  `segments: typographic_reduction=${pct(reduction)} ratio=${ratio.toFixed(3)} messages_per_turn=${messagesPerTurn}`,
);

if (!oneEach) {
  console.error("FAIL: some turn did not produce exactly one SMS body");
  process.exit(1);
}
if (!(reduction >= TARGET_REDUCTION)) {
  console.error(`FAIL: typographic reduction ${pct(reduction)} is below the ${pct(TARGET_REDUCTION)} target`);
  process.exit(1);
}
