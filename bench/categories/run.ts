// Signal categories on the labelled OTP corpus: per category, how many messages carry the label, how many of those
// the classifier finds, how many it gives the label wrongly, as precision and recall; then the held-out batch alone
// (written after the rules, never tuned against), and the worst-case time to categorize one SMS.
// Run: npm run bench:categories
import { annotate } from "../../src/domain/signals/extract.ts";
import { MAX_SIGNAL_BODY_LENGTH } from "../../src/domain/signals/limits.ts";
import { formatScores, scoreCategories } from "../../test/fixtures/category-score.ts";
import { CATEGORY_HOLDOUT, OTP_CORPUS } from "../../test/fixtures/otp-corpus.ts";

const all = scoreCategories(OTP_CORPUS);
console.log(`whole corpus (${OTP_CORPUS.length} messages):`);
for (const line of formatScores(all.scores)) console.log(`  ${line}`);
for (const m of all.misses) console.log(`  miss: labelled [${m.message.categories}], got [${m.got}]: ${JSON.stringify(m.message.body)}`);

const held = scoreCategories(CATEGORY_HOLDOUT);
console.log(`\nheld-out batch (${CATEGORY_HOLDOUT.length} messages, never tuned against):`);
for (const line of formatScores(held.scores)) console.log(`  ${line}`);

// Near-misses for every rule, repeated to the longest body annotation reads: the slowest text found for it.
const hostile = "payment pay $ parcel deliver ship appointment termin sale % off not you? reply x to your account ".repeat(40).slice(0, MAX_SIGNAL_BODY_LENGTH);
const RUNS = 200;
for (const [name, body] of [["typical SMS", OTP_CORPUS[0]!.body], [`hostile ${MAX_SIGNAL_BODY_LENGTH}-character body`, hostile]] as const) {
  annotate({ body, from: "+14155550177" });
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) annotate({ body, from: "+14155550177" });
  console.log(`annotate (codes, links, categories), ${name}: ${((performance.now() - start) / RUNS).toFixed(3)} ms`);
}
