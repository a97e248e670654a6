// The trust boundary for a watch's `result_schema`: the JSON Schema a judge's `result` must satisfy. Checked when
// the watch is created (the draft-07 meta-schema, size and depth, and the keywords refused below), so a judgment
// only ever applies a schema known to be valid, bounded and safe to run in a Worker; and the one place a result is
// checked against it, with @cfworker/json-schema (ajv compiles with `new Function`, which Workers forbid).
import { Validator, dereference, schemaArrayKeyword, schemaKeyword, schemaMapKeyword, type OutputUnit, type Schema } from "@cfworker/json-schema";
import { MAX_RESULT_SCHEMA_LENGTH } from "../limits";
import { DRAFT_07_META_SCHEMA } from "./draft-07";
import { jsonDepth } from "./json-bounds";

/** A problem with one field of a watch request (result_schema's are reported under its path). */
export interface Issue {
  path: string;
  message: string;
}

/** Nesting of objects and arrays in the schema's JSON. */
export const MAX_RESULT_SCHEMA_DEPTH = 16;
/** The draft result schemas are read as; `$schema` may name it or be left out. */
export const RESULT_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#";
const DRAFT_07_NAMES = new Set([RESULT_SCHEMA_DRAFT, "http://json-schema.org/draft-07/schema", "https://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema"]);

/**
 * Formats whose checks run in linear time. The library's `url` pattern backtracks exponentially and `regex`
 * compiles the value as a pattern: a result comes from a model an SMS may have talked into anything.
 */
const FORMATS = new Set(["date", "time", "date-time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid"]);
const REFUSED: Record<string, string> = {
  pattern: "is not supported: patterns run in a backtracking regular-expression engine here; use enum, minLength/maxLength or format",
  patternProperties: "is not supported: patterns run in a backtracking regular-expression engine here; use properties",
  $id: "is not supported: a result schema is one document; use definitions and local $ref (#/definitions/…)",
  id: "is not supported: a result schema is one document; use definitions and local $ref (#/definitions/…)",
};
/** Keywords whose subschemas apply to the same value, so a `$ref` cycle through them alone never ends. */
const SAME_VALUE = ["allOf", "anyOf", "oneOf", "not", "if", "then", "else"];

export type ResultSchemaCheck = { ok: true; schema: Schema } | { ok: false; issues: Issue[] };

/** Accepts any JSON value; returns every problem found (up to a few from the meta-schema) so it can be fixed at once. */
export function checkResultSchema(value: unknown, path = "result_schema"): ResultSchemaCheck {
  // Paths read like the watch's other issues: result_schema.properties.code.type.
  const dotted = (pointer: string) => pointer.replaceAll("/", ".");
  const fail = (message: string, at = ""): ResultSchemaCheck => ({ ok: false, issues: [{ path: `${path}${dotted(at)}`, message }] });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("must be a JSON Schema object, e.g. {\"type\":\"object\",\"properties\":{…}}");
  // Depth first: it stops at the limit, where writing the value out would recurse as deep as it goes.
  if (jsonDepth(value, MAX_RESULT_SCHEMA_DEPTH) > MAX_RESULT_SCHEMA_DEPTH) return fail(`must nest objects and arrays at most ${MAX_RESULT_SCHEMA_DEPTH} deep`);
  const text = JSON.stringify(value);
  if (text.length > MAX_RESULT_SCHEMA_LENGTH) return fail(`must be at most ${MAX_RESULT_SCHEMA_LENGTH} characters as JSON`);
  // A copy: the library marks the schemas it reads, and the caller's value is stored as it was sent.
  const schema: Schema = JSON.parse(text);
  if (schema.$schema !== undefined && !DRAFT_07_NAMES.has(String(schema.$schema))) {
    return fail(`must be JSON Schema draft-07: leave $schema out or set it to "${RESULT_SCHEMA_DRAFT}"`, "/$schema");
  }
  const meta = new Validator(DRAFT_07_META_SCHEMA, "7", false).validate(schema);
  if (!meta.valid) return { ok: false, issues: summarize(meta.errors).map((e) => ({ path: `${path}${dotted(e.at)}`, message: e.message })) };
  const issues: Issue[] = [];
  walk(schema, "", (node, at) => {
    const here = (keyword: string) => `${path}${dotted(`${at}/${keyword}`)}`;
    for (const [keyword, why] of Object.entries(REFUSED)) if (keyword in node) issues.push({ path: here(keyword), message: why });
    if (typeof node.format === "string" && !FORMATS.has(node.format)) issues.push({ path: here("format"), message: `"${node.format}" is not supported; use one of ${[...FORMATS].join(", ")}` });
    if (typeof node.$ref === "string" && !node.$ref.startsWith("#")) issues.push({ path: here("$ref"), message: "must be a reference inside this schema (#/definitions/…)" });
  });
  if (issues.length) return { ok: false, issues };
  const refs = checkRefs(schema);
  return refs ? fail(refs.message, refs.at) : { ok: true, schema: JSON.parse(text) };
}

export type ResultCheck = { ok: true } | { ok: false; message: string };

/** Whether a judge's result satisfies a schema checkResultSchema accepted. Never throws. */
export function checkResult(schema: Schema, value: unknown): ResultCheck {
  try {
    const result = new Validator(structuredClone(schema), "7", false).validate(value);
    if (result.valid) return { ok: true };
    const problems = summarize(result.errors).slice(0, 3).map((e) => `${e.at || "/"}: ${e.message}`);
    return { ok: false, message: `result does not match result_schema: ${problems.join("; ")}` };
  } catch (err) {
    return { ok: false, message: `result_schema could not be applied: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  }
}

// Errors that only say "something below failed"; the ones worth reading are where the value actually is wrong.
const WRAPPERS = new Set(["$ref", "properties", "additionalProperties", "allOf", "anyOf", "oneOf", "items", "dependencies"]);

/** One message per innermost failing location ("/properties/code/type: …"), in the order found, at most five. */
function summarize(errors: OutputUnit[]): { at: string; message: string }[] {
  const locations = [...new Set(errors.map((e) => e.instanceLocation))];
  const leaves = locations.filter((l) => !locations.some((o) => o !== l && o.startsWith(`${l}/`)));
  return leaves.slice(0, 5).map((l) => {
    const here = errors.filter((e) => e.instanceLocation === l);
    const best = here.find((e) => !WRAPPERS.has(e.keyword)) ?? here[0]!;
    return { at: l.slice(1), message: best.keyword === "false" ? "is not allowed here" : best.error };
  });
}

/** Visits every subschema (objects only) with its JSON pointer; `properties` names are names, not keywords. */
function walk(node: Schema | boolean, at: string, visit: (node: Schema, at: string) => void) {
  if (typeof node !== "object" || node === null) return;
  visit(node, at);
  for (const [key, sub] of Object.entries(node)) {
    const here = `${at}/${key}`;
    if (Array.isArray(sub)) {
      if (key in schemaArrayKeyword) sub.forEach((s, i) => walk(s, `${here}/${i}`, visit));
    } else if (key in schemaMapKeyword || key === "dependencies") {
      for (const [name, s] of Object.entries<Schema | boolean | string[]>(sub ?? {})) if (!Array.isArray(s)) walk(s, `${here}/${name}`, visit);
    } else if (key in schemaKeyword) walk(sub, here, visit);
  }
}

/**
 * Every `$ref` resolves inside the schema, and no chain of `$ref`s and same-value keywords (allOf, not, if …) leads
 * back to where it started: validating such a schema would recurse on the same value until the stack ran out.
 */
function checkRefs(schema: Schema): { at: string; message: string } | null {
  const lookup = dereference(schema);
  const pointers = new Map<Schema, string>();
  walk(schema, "", (node, at) => pointers.set(node, at));
  const next = (node: Schema): Schema[] => {
    const out: Schema[] = [];
    if (node.__absolute_ref__ !== undefined) {
      const target = lookup[node.__absolute_ref__];
      if (typeof target === "object") out.push(target);
    }
    for (const k of SAME_VALUE) {
      const sub = node[k];
      for (const s of Array.isArray(sub) ? sub : [sub]) if (typeof s === "object" && s !== null) out.push(s);
    }
    return out;
  };
  for (const [node, at] of pointers) {
    if (node.__absolute_ref__ !== undefined && lookup[node.__absolute_ref__] === undefined) return { at: `${at}/$ref`, message: `points at nothing in this schema: "${node.$ref}"` };
  }
  const state = new Map<Schema, "open" | "done">();
  const cycle = (node: Schema): boolean => {
    if (state.get(node) === "done") return false;
    if (state.get(node) === "open") return true;
    state.set(node, "open");
    const found = next(node).some(cycle);
    state.set(node, "done");
    return found;
  };
  for (const [node, at] of pointers) if (cycle(node)) return { at, message: "refers back to itself without descending into a property or item; such a schema never finishes" };
  return null;
}
