// Watch patterns come from agents and run inside a channel's Durable Object, where V8's backtracking engine has no
// time limit: "\d*\d*\d*\d*x" against one SMS of digits blocked a worker for minutes. So patterns are compiled and
// matched with re2js (RE2 in plain JavaScript), whose time grows linearly with the text. What RE2 cannot run in
// linear time it cannot express, and such patterns are refused when the watch is created.
import { RE2JS, RE2JSException } from "re2js";
import { MAX_PATTERN_LENGTH, MAX_PATTERN_PROGRAM } from "./limits";

export const PATTERN_SYNTAX_NOTE =
  "watch patterns use RE2 syntax (matched case-insensitively, in linear time): \\d, \\b, classes, groups, " +
  "(?:...), (?<name>...), (?i) and {n,m} up to 1000 work; lookahead, lookbehind and backreferences do not";

export type PatternCheck = { ok: true; pattern: RE2JS } | { ok: false; message: string };

export function checkWatchPattern(source: string): PatternCheck {
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, message: `must be at most ${MAX_PATTERN_LENGTH} characters` };
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    return { ok: false, message: `${unsupported(source) ?? `does not compile: ${e.message}`}; ${PATTERN_SYNTAX_NOTE}` };
  }
  const size = pattern.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    return { ok: false, message: `is too costly to match (RE2 program size ${size}, limit ${MAX_PATTERN_PROGRAM}); use smaller repeat counts` };
  }
  return { ok: true, pattern };
}

/** Names the JavaScript feature RE2 lacks, for a clearer message than RE2's "invalid escape sequence". */
function unsupported(source: string): string | null {
  if (/\(\?<?[=!]/.test(source)) return "lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported";
  if (/\\[1-9]|\\k</.test(source)) return "backreferences (\\1, \\k<name>) are not supported";
  return null;
}

const compiled = new Map<string, RE2JS | null>();
const MAX_COMPILED = 256;

/**
 * The compiled pattern for matching, remembered (most recently used last, at most MAX_COMPILED). Patterns are
 * checked on the way in; one stored before these rules that fails them now matches nothing.
 */
export function watchPattern(source: string): RE2JS | null {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    const check = checkWatchPattern(source);
    pattern = check.ok ? check.pattern : null;
  } else compiled.delete(source);
  compiled.set(source, pattern);
  if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  return pattern;
}
