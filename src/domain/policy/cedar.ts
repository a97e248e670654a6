// The one place that loads Cedar, and the only way to call it. workerd can neither fetch the .wasm by URL nor read
// it from disk, so it arrives as a compiled module import and is instantiated here, on first use rather than at
// import, so requests that never consult a policy don't pay for a 4 MB instance.
//
// A wasm instance that traps (a stack overflow on deeply nested text, a Rust panic) is left in an undefined state:
// cedar-wasm then answers "memory access out of bounds" to every later call until the isolate restarts. So every
// call goes through `withCedar`, which throws the instance away after any throw and builds a fresh one for the next
// call. The glue is wasm-bindgen's bundler build, because it lets us swap the instance (`__wbg_set_wasm`); the web
// build's `initSync` keeps its first instance for ever.
import cedarWasm from "@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm";
import * as glue from "@cedar-policy/cedar-wasm/esm/cedar_wasm_bg.js";

export type Cedar = Omit<typeof glue, "__wbg_set_wasm">;

/** Raised in place of whatever the wasm threw; the instance it came from is already discarded. */
export class CedarTrap extends Error {
  override readonly name = "CedarTrap";
}

interface Instance {
  exports: { memory: WebAssembly.Memory; __wbindgen_start: () => void };
  /** Counts instances, so state kept inside one (preparsed sets, the schema) is known to be gone with it. */
  generation: number;
}

let current: Instance | null = null;
let generations = 0;

function instantiate(): Instance {
  const instance = new WebAssembly.Instance(cedarWasm, { "./cedar_wasm_bg.js": glue });
  const exports = instance.exports as unknown as Instance["exports"];
  glue.__wbg_set_wasm(instance.exports);
  exports.__wbindgen_start();
  return { exports, generation: ++generations };
}

function discard(instance: Instance): void {
  if (current !== instance) return;
  current = null;
  // The glue caches a byte view of the old memory and refreshes it only once that view is detached; grow(0)
  // detaches it, so the next instance's strings are written to its own memory, not to the dead one's.
  instance.exports.memory.grow(0);
}

/**
 * Runs `use` against the live instance. `generation` identifies that instance: anything parsed into it earlier
 * under another generation is gone. A throw from inside is a trap: the instance is discarded and a CedarTrap is
 * thrown, so the caller can fail closed while the next call gets a fresh instance.
 */
export function withCedar<T>(use: (c: Cedar, generation: number) => T): T {
  const instance = (current ??= instantiate());
  try {
    return use(glue, instance.generation);
  } catch (err) {
    discard(instance);
    throw new CedarTrap(`the policy engine failed and was restarted: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
