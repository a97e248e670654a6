// Watch patterns run in RE2 (re2js), whose matching time grows linearly with the text: the patterns that made V8's
// backtracking engine stall a channel for minutes are harmless, and the JavaScript features RE2 cannot run in
// linear time are refused at creation with a message that says why.
import { describe, expect, it } from "vitest";
import { MAX_PATTERN_LENGTH, MAX_PATTERN_PROGRAM, MAX_SIGNAL_BODY_LENGTH } from "../../../src/domain/signals/limits";
import { checkWatchPattern, watchPattern } from "../../../src/domain/signals/regex-safety";
import { type Signal, type WatchSpec, signalMatches } from "../../../src/domain/signals/watch";

const T0 = 1_750_000_000_000;
const watch = (regex: string): WatchSpec => ({ id: "w_1", createdAt: T0, regex, lookbackS: 300, expiresAt: T0 + 60_000 });
const signal = (body: string): Signal => ({ id: "s_1", channelId: "ch_1", from: "+14155550100", body, receivedAt: T0, code: null, codes: [], links: [], categories: [] });

describe("watch patterns under RE2", () => {
  // Under V8 each of these takes minutes to hours on one SMS of digits; under RE2 it is one pass over the text.
  it.each(["\\d*\\d*\\d*\\d*x", "(\\d+)+x", "(\\d|\\d\\d)+x", "(.*\\d){10}x"])("accepts %s and matches it against a full SMS of digits", (source) => {
    expect(checkWatchPattern(source).ok).toBe(true);
    expect(signalMatches(watch(source), signal("1".repeat(MAX_SIGNAL_BODY_LENGTH)))).toBe(false);
    expect(signalMatches(watch(source), signal(`${"1".repeat(MAX_SIGNAL_BODY_LENGTH - 1)}x`))).toBe(true);
  });

  it.each([
    ["code(?=\\d)", "lookahead and lookbehind"],
    ["code(?!\\d)", "lookahead and lookbehind"],
    ["(?<=G-)\\d{6}", "lookahead and lookbehind"],
    ["(?<!\\d)\\d{6}", "lookahead and lookbehind"],
    ["(\\d)\\1", "backreferences"],
    ["(?<d>\\d)\\k<d>", "backreferences"],
    ["\\d{1001}", "invalid repeat count"],
    ["(", "does not compile"],
  ])("refuses %s, saying why and that watch patterns are RE2", (source, reason) => {
    const check = checkWatchPattern(source);
    expect(check).toEqual({ ok: false, message: expect.stringContaining(reason) });
    expect(check.ok || check.message).toContain("RE2 syntax");
  });

  it("refuses a pattern whose RE2 program is too large to match cheaply", () => {
    const check = checkWatchPattern(".{0,1000}.{0,1000}x");
    expect(check).toEqual({ ok: false, message: expect.stringContaining(`limit ${MAX_PATTERN_PROGRAM}`) });
  });

  it("refuses a pattern over the length limit", () => {
    expect(checkWatchPattern("a".repeat(MAX_PATTERN_LENGTH + 1))).toEqual({ ok: false, message: `must be at most ${MAX_PATTERN_LENGTH} characters` });
    expect(checkWatchPattern("a".repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
  });

  it.each(["\\b\\d{6}\\b", "code[: ]+(\\w+)", "(abc)+", "(?:code|pin)\\s*\\d+", "[(+]+\\d", "G-\\d{6}", "(?<code>\\d{4,8})", "(?i)steam", "\\p{L}+ code"])(
    "accepts %s",
    (source) => expect(checkWatchPattern(source).ok).toBe(true),
  );

  it("matches case-insensitively, anywhere in the body", () => {
    expect(signalMatches(watch("^g-\\d{6}"), signal("G-482913 is your code"))).toBe(true);
    expect(signalMatches(watch("steam guard"), signal("Your STEAM GUARD code: F7K2Q"))).toBe(true);
    expect(signalMatches(watch("^\\d{6}$"), signal("G-482913"))).toBe(false);
  });

  it("lets a stored pattern that RE2 refuses match nothing, rather than fall back to V8", () => {
    expect(watchPattern("code(?=\\d)")).toBeNull();
    expect(signalMatches(watch("code(?=\\d)"), signal("code1"))).toBe(false);
  });

  it("compiles a pattern once and keeps the cache bounded", () => {
    const first = watchPattern("\\d{6}");
    expect(watchPattern("\\d{6}")).toBe(first);
    for (let i = 0; i < 300; i++) watchPattern(`n${i}`);
    expect(watchPattern("\\d{6}")).not.toBe(first);
  });
});
