// Cedar's diagnostics in words for the person who wrote the policy: its messages name policies by Cedar's internal
// ids ("for policy `policy0`, …") and quote code in Markdown backticks. The line and column already say which
// policy is meant, so the id goes; code is quoted the way the editor shows it; the common mistakes get a sentence.

/** `x` → "x"; code that carries its own quotes (Policy::Action::"send") stays bare rather than double-quoted. */
const unquote = (s: string) => s.replace(/`([^`]*)`/g, (_, code: string) => (code.includes('"') ? code : `"${code}"`));

/** A type name needs no quotes: Policy::Message reads as itself. */
const bare = (s: string) => s.replace(/^"(.*)"$/, "$1");

const REWRITES: [RegExp, (...m: string[]) => string][] = [
  [/^unexpected token (.+)$/, (t) => `Unexpected ${t} here`],
  [/^unexpected end of input$/, () => "The text ends before the policy does"],
  [/^invalid token$/, () => "Cedar cannot read the text here"],
  [/^invalid policy effect: (.+)$/, (e) => `"${e}" is not an effect: a policy starts with permit or forbid`],
  [/^unrecognized action (.+)$/, (a) => `Unknown action ${a}`],
  [/^unrecognized entity type (.+)$/, (t) => `Unknown entity type ${bare(t)}`],
  [/^attribute (.+) on entity type (.+) not found$/, (a, t) => `${bare(t)} has no attribute ${a}`],
  [/^attribute (.+) in context for (.+) not found$/, (a, act) => `The context of ${act} has no attribute ${a}`],
  [/^the types (\w+) and (\w+) are not compatible$/, (a, b) => `A ${a} cannot be compared with a ${String(b)}`],
  [/^static policy set includes a template$/, () => "Policy templates (?principal, ?resource) are not supported"],
];

/** One of Cedar's messages (or its help) without internal policy ids or backticks, starting with a capital. */
export function plainCedarText(raw: string): string {
  const text = unquote(raw.replace(/^for policy `[^`]*`, /, "").replace(/\bfor policy `[^`]*`, /g, ""));
  for (const [pattern, say] of REWRITES) {
    const m = pattern.exec(text);
    if (m) return capitalize(say(...m.slice(1)));
  }
  return capitalize(text);
}

/** A source label ("expected `;` or identifier"): code unquoted, kept lower-case to sit inside parentheses. */
export const plainCedarLabel = (raw: string) => unquote(raw);

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
