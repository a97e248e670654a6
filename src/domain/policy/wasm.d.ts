// cedar-wasm's package exports name neither its .wasm nor the bundler build's glue. Both are aliased to their files
// (vitest.config.ts for Vite; wrangler.toml [alias] for the glue, while wrangler's wasm rule finds the .wasm).
declare module "@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

declare module "@cedar-policy/cedar-wasm/esm/cedar_wasm_bg.js" {
  export * from "@cedar-policy/cedar-wasm";
  /** Points the glue at a new instance's exports (wasm-bindgen's bundler target). */
  export function __wbg_set_wasm(exports: WebAssembly.Exports): void;
}
