// Cedar can keep parsed policy sets inside its wasm instance (about ten times cheaper per decision than parsing
// each time), but that store has no eviction. We reuse a few fixed ids, least recently used first, so it stays
// bounded; an engine whose slot was taken re-parses into another, so a slot never answers for the wrong set.
// The store dies with its instance (cedar.ts replaces an instance that trapped): a new generation owns no slot.
import type { Cedar } from "./cedar";

const SLOT_COUNT = 4;
const owners: (object | undefined)[] = Array.from({ length: SLOT_COUNT }, () => undefined);
const lastUse: number[] = Array.from({ length: SLOT_COUNT }, () => 0);
const slotOf = new WeakMap<object, number>();
let clock = 0;
let slotsGeneration = 0;

export const preparsedId = (slot: number) => `textgate.policies.${slot}`;

/** The preparsed-set id holding `owner`'s policies, parsing them into a slot first if needed. */
export function holdSlot(
  c: Cedar,
  generation: number,
  owner: object,
  policies: Record<string, string>,
): { ok: true; id: string } | { ok: false; errors: string[] } {
  if (generation !== slotsGeneration) {
    owners.fill(undefined);
    lastUse.fill(0);
    slotsGeneration = generation;
  }
  let slot = slotOf.get(owner);
  if (slot === undefined || owners[slot] !== owner) {
    slot = lastUse.indexOf(Math.min(...lastUse));
    const answer = c.preparsePolicySet(preparsedId(slot), { staticPolicies: policies });
    if (answer.type === "failure") return { ok: false, errors: answer.errors.map((e) => e.message) };
    owners[slot] = owner;
    slotOf.set(owner, slot);
  }
  lastUse[slot] = ++clock;
  return { ok: true, id: preparsedId(slot) };
}
