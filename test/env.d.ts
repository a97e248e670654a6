// Test-only bindings added in vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Where a test declares the runtime logs it causes on purpose (test/helpers/runtime-logs.ts). */
    RUNTIME_LOGS_URL: string;
  }
}

/** Vite's ?raw imports: a file's text (the README, read by the tests that keep it in step with the code). */
declare module "*?raw" {
  const text: string;
  export default text;
}
