// workerd prints some failures itself, outside any test's console, so vitest cannot tie them to a test: an outbound
// fetch whose connection drops logs "uncaught exception … Network connection lost" even when the app catches the
// rejection (a bare `await fetch(url).catch(() => {})` against a dropped connection prints the same lines); the
// Workers AI binding's local stub logs its refusal in its own worker; a request body the app stops reading logs
// "read end of pipe was aborted". Tests cause each of these on purpose. This filter on the vitest process's output
// (where miniflare writes workerd's logs) swallows exactly as many of each as were caused: the Twilio emulator and
// the fake OpenAI server count the connections they drop, and a test declares the others (test/helpers/runtime-logs.ts).
// Any other line stays on screen, and an "uncaught exception" nobody accounted for fails the run at its end. (One more
// is swallowed whenever it comes: a test file's reset() — the harness's own call — aborts whatever an object is still
// doing, an alarm of an earlier file's channel say, and workerd logs "Application called deleteAllDurableObjects()"
// at no predictable count. Other workerd "exception =" lines are shown but do not fail the run.)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

/** Each kind of deliberate runtime log, as the lines (one write each) workerd prints for one occurrence. */
const KINDS = {
  dropped_connection: [
    /^exception = rust\/worker\/ffi\.rs:\d+: disconnected: (client error \(SendRequest\)|Connection reset by peer)/,
    /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Network connection lost\.\n?$/,
    /^uncaught exception; exception = workerd\/jsg\/value\.h:\d+: disconnected: jsg\.Error: Network connection lost\./,
  ],
  workers_ai_stub: [
    /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Binding AI needs to be run remotely\n\s+at throwRemoteRequired/,
    /^uncaught exception; exception = workerd\/jsg\/value\.h:\d+: failed: jsg\.Error: Binding AI needs to be run remotely/,
  ],
  aborted_body: [/^exception = kj\/async-io\.c\+\+:\d+: disconnected: read end of pipe was aborted/],
} as const;
export type RuntimeLogKind = keyof typeof KINDS;

/** Logged when the harness's reset() aborts an object's work: the test harness's own doing, never the app's. */
const HARNESS_RESET = /^exception = workerd\/api\/unsafe\.c\+\+:\d+: failed: (remote\.)?jsg\.Error: Application called deleteAllDurableObjects\(\)\./;
const UNEXPLAINED = /^uncaught exception/;
const Expected = z.object({ kind: z.enum(Object.keys(KINDS) as [RuntimeLogKind, ...RuntimeLogKind[]]), count: z.number().int().positive() });

export interface RuntimeLogFilter {
  /** `count` more occurrences of `kind` are on their way: swallow that many. */
  expect(kind: RuntimeLogKind, count?: number): void;
  /** Where a test inside workerd declares what it causes: POST {kind, count}. */
  url: string;
  /** Lines no occurrence accounted for (they were printed). */
  unexplained: string[];
}

export async function filterRuntimeLogs(): Promise<RuntimeLogFilter> {
  // One allowance per line pattern: each occurrence grants one of each of its kind's lines.
  const allowed = new Map<RegExp, number>();
  const unexplained: string[] = [];
  const expect = (kind: RuntimeLogKind, count = 1) => {
    for (const line of KINDS[kind]) allowed.set(line, (allowed.get(line) ?? 0) + count);
  };
  /** False for a line to swallow; a "stack:" line right after a swallowed one goes with it. */
  let swallowedLast = false;
  const keep = (text: string): boolean => {
    if (swallowedLast && text.startsWith("stack: ")) return false;
    if (HARNESS_RESET.test(text)) {
      swallowedLast = true;
      return false;
    }
    for (const lines of Object.values(KINDS)) {
      for (const line of lines) {
        if (!line.test(text) || !allowed.get(line)) continue;
        allowed.set(line, allowed.get(line)! - 1);
        swallowedLast = true;
        return false;
      }
    }
    swallowedLast = false;
    if (UNEXPLAINED.test(text)) unexplained.push(text.split("\n")[0]!);
    return true;
  };
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => (typeof chunk === "string" && !keep(chunk) ? true : write(chunk, ...rest))) as typeof stream.write;
  }

  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = Expected.safeParse(safeJson(raw));
      if (req.method !== "POST" || !body.success) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: `POST {kind: ${Object.keys(KINDS).join(" | ")}, count > 0}` }));
        return;
      }
      expect(body.data.kind, body.data.count);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return { expect, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, unexplained };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** A vitest reporter that fails the run when workerd printed an exception nobody accounted for. */
export function unexplainedRuntimeLogs(filter: RuntimeLogFilter) {
  return {
    onTestRunEnd() {
      if (!filter.unexplained.length) return;
      process.stderr.write(`\n${filter.unexplained.length} uncaught exception line(s) above were caused by no injected fault (test/fakes/runtime-logs.ts):\n`);
      for (const line of filter.unexplained) process.stderr.write(`  ${line}\n`);
      process.exitCode = 1;
    },
  };
}
