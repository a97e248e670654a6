// The one place that loads Cedar. workerd can neither fetch the .wasm by URL (the web build's default) nor read
// it from disk (the Node build), so it arrives as a compiled module import and is instantiated here, on first
// use rather than at import, so requests that never consult a policy don't pay for a 4 MB instance.
import cedarWasm from "@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm";
import * as wasm from "@cedar-policy/cedar-wasm/web";

export type Cedar = typeof wasm;

let ready = false;

export function cedar(): Cedar {
  if (!ready) {
    wasm.initSync({ module: cedarWasm });
    ready = true;
  }
  return wasm;
}
