// cedar-wasm's package exports name no path for its .wasm. wrangler bundles this import as a compiled module on
// its own (its wasm rule resolves past `exports`); Vite needs the alias in vitest.config.ts. Both yield a Module.
declare module "@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
