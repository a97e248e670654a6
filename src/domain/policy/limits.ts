// Bounds on what reaches Cedar. cedar-wasm parses, validates and evaluates recursively inside a wasm stack of fixed
// size: about 150 nested parentheses, 700 `||` in a row or 1 500 chained `.attr` overflow it and trap the instance
// (measured on cedar-wasm 4.13). Text past these bounds is refused here, with the place it went wrong, before Cedar sees it;
// the bounds sit well under the trap and well over any policy a person writes. cedar.ts recovers from a trap
// anyway; these keep the recoverable case rare and give the author a reason instead of an internal error.
import { positionAt } from "./location";
import type { PolicyProblem } from "./problems";

/** Characters of policy text (the API body may be 64 KiB; hundreds of policies fit in this). */
export const MAX_POLICY_TEXT_LENGTH = 32_768;
/** Open (), [] and {} at once, counting the policy's own `permit(` and `when {`. */
export const MAX_POLICY_NESTING = 32;
/** How deep one expression may chain: its `&&`/`||`, plus the longest `.`/`+`/`-`/`*` run in an operand, summed
 * over the brackets around it. Cedar nests each a level deeper (700 `||` overflow its evaluator). A `,` starts
 * afresh (set items and call arguments are siblings). `if`s count against MAX_POLICY_NESTING per policy. */
export const MAX_POLICY_CHAIN = 256;
/** Agent and channel handles in a decision (handles are at most 63 characters). */
export const MAX_HANDLE_LENGTH = 63;
/** A handle, the agent's (or channel's) Cedar id: lowercase letters, digits, - and _, starting with a letter or digit. */
export const HANDLE = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_HANDLE_LENGTH - 1}}$`);
/** A sender address in a decision (E.164 is 16, a sender id 11; room for prefixed forms). */
export const MAX_ADDRESS_LENGTH = 64;

const OPEN = "([{";
const CLOSE = ")]}";
const CHAIN_SIGNS = ".+-*";

/** Why the text is refused before Cedar parses it, with its position, or null when Cedar may have it. */
export function checkPolicyShape(text: string): PolicyProblem | null {
  if (text.length > MAX_POLICY_TEXT_LENGTH) {
    return { message: `policy text is ${text.length} characters; the limit is ${MAX_POLICY_TEXT_LENGTH}` };
  }
  // Per open bracket (and the top level): the `&&`/`||` so far, and the `.`/`+`/`-`/`*` since the last of those.
  // What a `||` joins sits side by side, so an operand's own chain restarts; the `||`s themselves nest.
  const levels = [{ logic: 0, chain: 0 }];
  const top = () => levels[levels.length - 1]!;
  // `if` nests through `then`, `else` and even `||` (`a || if b then c else d`), so a policy's `if`s are counted.
  let ifs = 0;
  const at = (i: number, message: string): PolicyProblem => ({ message, ...positionAt(text, byteOffset(text, i)) });
  const deeper = (i: number): PolicyProblem | null =>
    levels.reduce((n, l) => n + l.logic + l.chain, 0) > MAX_POLICY_CHAIN ? at(i, TOO_LONG) : null;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const pair = text.slice(i, i + 2);
    let step = 1;
    let problem: PolicyProblem | null = null;
    if (ch === '"') step = stringLength(text, i);
    else if (pair === "//") step = lineLength(text, i);
    else if (pair === "&&" || pair === "||") {
      step = 2;
      top().logic += 1;
      top().chain = 0;
      problem = deeper(i);
    } else if (ch === ",") Object.assign(top(), { logic: 0, chain: 0 });
    else if (ch === ";" && levels.length === 1) {
      Object.assign(top(), { logic: 0, chain: 0 });
      ifs = 0;
    } else if (OPEN.includes(ch)) {
      if (levels.length > MAX_POLICY_NESTING) return at(i, `brackets are nested more than ${MAX_POLICY_NESTING} deep`);
      levels.push({ logic: 0, chain: 0 });
    } else if (CLOSE.includes(ch)) {
      if (levels.length > 1) levels.pop();
    } else if (CHAIN_SIGNS.includes(ch)) {
      top().chain += 1;
      problem = deeper(i);
    }
    else if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 64))![0];
      step = word.length;
      if (word === "if" && ++ifs > MAX_POLICY_NESTING) return at(i, `one policy has more than ${MAX_POLICY_NESTING} \`if\`s`);
    }
    if (problem) return problem;
    i += step;
  }
  return null;
}

const TOO_LONG =
  `an expression nests more than ${MAX_POLICY_CHAIN} operators deep (\`&&\`, \`||\`, \`.\`, \`+\`, \`-\`, \`*\`); ` +
  "split it into several policies, or compare against a set: [\"a\", \"b\"].contains(resource.sender.address)";

/** Length of the string literal opening at `start`, quotes included (Cedar strings escape with a backslash). */
function stringLength(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1 - start;
}

/** Length of the `//` comment at `start`, up to its line end. */
function lineLength(text: string, start: number): number {
  const end = text.indexOf("\n", start);
  return (end === -1 ? text.length : end) - start;
}

/** positionAt takes Cedar's UTF-8 byte offsets; our index is in UTF-16 units. */
function byteOffset(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length;
}
