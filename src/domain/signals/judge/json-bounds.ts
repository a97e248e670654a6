// Bounds on JSON values that come from outside (a watch request, a model's answer): measured before anything walks
// them recursively, so a value nested a million deep costs no more than one at the limit.

/** A JSON value, as typed data (it crosses RPC, where `unknown` cannot). */
export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
export interface JsonArray extends Array<JsonValue> {}

/** How deep objects and arrays nest in `value` (a scalar is 0), counted no further than `limit + 1`. */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== "object" || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}
