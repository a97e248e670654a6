// Watch patterns come from agents and run inside a Durable Object, where V8 has no regex time limit: one
// catastrophic pattern would stall the channel. This check rejects the shapes that backtrack exponentially.
//
// The rule: a group repeated by *, +, {n,} or {n,m} (m > 1) may contain neither a quantifier nor an alternation
// ("(a+)+", "(a|aa)*", "(\d{2})+" are refused; "(abc)+", "(?:code|pin)", "\d{6}" pass), and backreferences are
// refused. Exponential backtracking needs exactly such nesting. Polynomial blow-ups ("\d+\d+\d+x") remain
// possible but are bounded by an SMS body (at most 1600 characters) and a 200-character pattern.

export const MAX_PATTERN_LENGTH = 200;

export type PatternCheck = { ok: true; regex: RegExp } | { ok: false; message: string };

export function checkWatchPattern(source: string): PatternCheck {
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, message: `must be at most ${MAX_PATTERN_LENGTH} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(source, "i");
  } catch (e) {
    return { ok: false, message: `does not compile: ${e instanceof Error ? e.message : String(e)}` };
  }
  const risk = nestedRepetition(source);
  return risk ? { ok: false, message: risk } : { ok: true, regex };
}

interface Group {
  /** The group holds a quantifier or an alternation, so repeating it can backtrack exponentially. */
  risky: boolean;
}

/** Returns why the pattern is refused, or null. Assumes it compiled, so brackets and escapes are balanced. */
function nestedRepetition(source: string): string | null {
  const stack: Group[] = [{ risky: false }];
  const top = () => stack[stack.length - 1] as Group;
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "must not use backreferences";
      i += 2;
    } else if (ch === "[") {
      i = skipClass(source, i);
    } else if (ch === "(") {
      stack.push({ risky: false });
      i = skipGroupPrefix(source, i + 1);
      continue;
    } else if (ch === ")") {
      const group = stack.pop() as Group;
      const q = quantifierAt(source, i + 1);
      if (q.repeats && group.risky) return "must not repeat a group that holds a quantifier or an alternation, e.g. (a+)+";
      if (group.risky || q.length > 0) top().risky = true;
      i += 1 + q.length;
      continue;
    } else if (ch === "|") {
      top().risky = true;
      i += 1;
    } else {
      i += 1;
    }
    // After an atom (escape, class or plain character), a quantifier makes the enclosing group risky.
    const q = quantifierAt(source, i);
    if (q.length > 0 && ch !== "|") top().risky = true;
    i += q.length;
  }
  return null;
}

/** Length of the quantifier at `i` (with a lazy `?`), and whether it can repeat more than once. */
function quantifierAt(source: string, i: number): { length: number; repeats: boolean } {
  const ch = source[i];
  let length = 0;
  let repeats = false;
  if (ch === "*" || ch === "+") [length, repeats] = [1, true];
  else if (ch === "?") length = 1;
  else if (ch === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (m) {
      length = m[0].length;
      repeats = m[2] !== undefined ? m[3] === "" || Number(m[3]) > 1 : Number(m[1]) > 1;
    }
  }
  if (length > 0 && source[i + length] === "?") length += 1;
  return { length, repeats };
}

function skipClass(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** Skips "?:", "?=", "?!", "?<=", "?<!" and "?<name>" after an opening parenthesis. */
function skipGroupPrefix(source: string, i: number): number {
  if (source[i] !== "?") return i;
  const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(source.slice(i));
  return i + (m ? m[0].length : 1);
}
