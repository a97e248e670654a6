// Why watch patterns run in RE2: the same catastrophic pattern against SMS bodies of growing size, matched by V8's
// backtracking engine (what watches used before) and by re2js (what they use now, via signalMatches). V8's time
// grows with the cube of the body for \d*\d*\d*x, RE2's linearly. Sizes stop where V8 is still quick enough to wait
// for; the full 1 600-character SMS is timed for RE2 only (V8 would take hours).
// Run: npx tsx bench/watch-regex/run.ts   (prints per-size times and the V8/RE2 ratio at the largest shared size)
import { MAX_SIGNAL_BODY_LENGTH } from "../../src/domain/signals/limits.ts";
import { type Signal, type WatchSpec, signalMatches } from "../../src/domain/signals/watch.ts";

const PATTERN = "\\d*\\d*\\d*x";
const SIZES = [100, 200, 400];
const REPEAT = 3;

const watch: WatchSpec = { id: "w", createdAt: 0, regex: PATTERN, lookbackS: 0, expiresAt: 1 };
const signal = (body: string): Signal => ({ id: "s", channelId: "c", from: "+15550000000", body, receivedAt: 0, code: null, codes: [], links: [], categories: [] });

function time(run: () => void): number {
  run();
  const start = performance.now();
  for (let i = 0; i < REPEAT; i++) run();
  return (performance.now() - start) / REPEAT;
}

const v8 = new RegExp(PATTERN, "i");
let last = { v8: 0, re2: 0 };
for (const n of SIZES) {
  const body = "1".repeat(n);
  last = { v8: time(() => v8.test(body)), re2: time(() => signalMatches(watch, signal(body))) };
  console.log(`${n} digits: v8 ${last.v8.toFixed(2)} ms, re2 ${last.re2.toFixed(3)} ms`);
}
const full = time(() => signalMatches(watch, signal("1".repeat(MAX_SIGNAL_BODY_LENGTH))));
console.log(`${MAX_SIGNAL_BODY_LENGTH} digits: re2 ${full.toFixed(3)} ms (v8 not run)`);
console.log(`ratio v8/re2 at ${SIZES.at(-1)} digits: ${(last.v8 / last.re2).toFixed(0)}x`);
