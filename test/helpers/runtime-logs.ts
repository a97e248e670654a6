// A test that makes workerd print a failure on purpose (outside any console, so vitest cannot tie it to the test)
// says so first; the filter in test/fakes/runtime-logs.ts then swallows exactly that many, and fails the run on
// any it was not told about. Dropped connections need no declaration: the fakes that drop them count them.
import { env } from "cloudflare:workers";

export async function expectRuntimeLog(kind: "workers_ai_stub" | "aborted_body", count = 1) {
  const res = await fetch(env.RUNTIME_LOGS_URL, { method: "POST", body: JSON.stringify({ kind, count }) });
  if (res.status !== 204) throw new Error(`runtime log filter refused ${kind}: ${await res.text()}`);
}
