// Two projects. "workers": tests run inside workerd (the real Workers runtime) with real D1, Queues and Durable
// Objects via Miniflare; outbound Twilio and OpenAI calls go to fake servers started here, in Node, for the whole
// run. "node": the Node-side code (the Twilio emulator, scripts/) tested in plain Node.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { startFakeOpenAI } from "./test/fakes/openai-server.ts";
import { startFakeTwilio } from "./emulator/twilio.ts";
import { filterRuntimeLogs, unexplainedRuntimeLogs } from "./test/fakes/runtime-logs.ts";

export const TEST_VARS = {
  SERVER_EXTERNAL_URL: "https://textgate.example",
  ADMIN_TOKEN: "test-admin-token",
  ENCRYPTION_KEY: "test-encryption-key-not-for-production",
  VOICE_TWILIO_ACCOUNT_SID: "",
  VOICE_TWILIO_AUTH_TOKEN: "",
  VOICE_TWILIO_FROM_NUMBER: "",
  OPENAI_API_KEY: "",
  // Retried turns come back at once in tests; production backs off from 5 s.
  TURN_RETRY_DELAY_S: "0",
  // The fake Twilio finishes a request before it answers or drops it, so nothing is left to settle. The wait
  // itself is tested with an injected clock (test/unit/channel/ledger.test.ts).
  TWILIO_SEND_SETTLE_S: "0",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // Before anything can drop a connection: workerd's log of each drop is swallowed, and only those (runtime-logs.ts).
  const runtimeLogs = await filterRuntimeLogs();
  const dropped = () => runtimeLogs.expect("dropped_connection");
  const twilio = await startFakeTwilio(0, { onDrop: dropped });
  const openai = await startFakeOpenAI(0, dropped);
  return {
    test: {
      // CI also writes a JSON report; .ci/run prints its totals as a plain "N passed, N failed" line.
      reporters: [...(process.env.CI ? ["default", "json"] : ["default"]), unexplainedRuntimeLogs(runtimeLogs)],
      outputFile: process.env.CI ? { json: "test-results.json" } : undefined,
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              // Offline: never open a remote proxy session (the Workers AI binding would otherwise ask for a login).
              remoteBindings: false,
              miniflare: {
                bindings: {
                  ...TEST_VARS,
                  TWILIO_API_BASE: twilio.url,
                  // The emulator serves Twilio's Messaging API (Messaging Services) on the same port.
                  TWILIO_MESSAGING_API_BASE: twilio.url,
                  OPENAI_BASE_URL: `${openai.url}/v1`,
                  OPENAI_API_KEY: "test-openai-key",
                  // attach_media by URL: the emulator's media CDN stands in for a site the owner allowed.
                  MEDIA_ALLOWED_URLS: `${twilio.url}/__cdn/`,
                  RUNTIME_LOGS_URL: runtimeLogs.url,
                  TEST_MIGRATIONS: migrations,
                },
                // Deliver turn jobs as soon as they are sent instead of waiting up to a second to fill a batch.
                queueConsumers: {
                  "textgate-turns": { maxBatchTimeout: 0, maxRetries: 5, deadLetterQueue: "textgate-turns-dlq" },
                  "textgate-turns-dlq": { maxBatchTimeout: 0 },
                },
              },
            }),
          ],
          resolve: {
            alias: {
              // cedar-wasm's package exports name neither its .wasm nor the bundler glue (src/domain/policy/cedar.ts
              // says why that glue); wrangler.toml's [alias] has the same two lines for deploys.
              "@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm": path.join(import.meta.dirname, "node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm"),
              "@cedar-policy/cedar-wasm/esm/cedar_wasm_bg.js": path.join(import.meta.dirname, "node_modules/@cedar-policy/cedar-wasm/esm/cedar_wasm_bg.js"),
            },
          },
          test: {
            name: "workers",
            setupFiles: ["./test/helpers/apply-migrations.ts", "./test/helpers/emulator-clean.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**", "test/node/**"],
            // Reuse workerd workers across test files: most of the suite's time was spent starting them.
            isolate: false,
            // Two workerd processes, each with its own storage, run files side by side; within one, files run one at
            // a time (they share storage once workers are reused, and some wipe it: freshStorageEachTest). Turn and
            // watch tests spend their time waiting on the Queue and alarms, not on the CPU, so two overlap well on 2
            // cores (measured on the loaded machine: 262 s one at a time, 191 s two, 189 s three). Files share the
            // one Twilio emulator, so each creates its own accounts and never resets the emulator.
            fileParallelism: true,
            maxWorkers: 2,
            // A test that creates dozens of watches takes ~1 s alone but several on a loaded 2-core CI machine; a hang
            // still fails, just later.
            testTimeout: 20_000,
          },
        },
        // The Node side: the Twilio emulator (its state file) and `npm start`'s script, in plain Node.
        { test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"] } },
      ],
    },
  };
});
