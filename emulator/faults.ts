// Faults a test injects through /__fake/accounts/:sid/faults: the next matching request is answered with an error,
// dropped, delayed, or handled and then lost ("after": Twilio did the work, the caller never hears back), or held
// until the test releases it (a deferred gate: the test acts while Twilio has the message and the app waits).
import { type Reply, sleep, twilioError } from "./http.ts";
import type { ApiContext } from "./api.ts";
import type { Account, Fault } from "./state.ts";
import { sendStatus } from "./webhooks.ts";

/** The first armed fault for this request, used up by one. */
export function takeFault(acct: Account, method: string, path: string): Fault | undefined {
  const fault = acct.faults.find((f) => path.includes(f.match) && (!f.method || f.method === method) && f.times > 0);
  if (fault) fault.times--;
  return fault;
}

// A dropped connection ("drop", or "after" without a status) makes workerd print three lines ("uncaught exception
// … Network connection lost") even though the app catches the rejected fetch: workerd logs every outbound fetch
// that fails on the network that way (a one-line worker doing `await fetch(u).catch(() => {})` against a closed
// connection prints the same). Under `npm test` the emulator reports each drop (EmulatorOptions.onDrop), and
// test/fakes/runtime-logs.ts hides exactly that many of those lines.
const injected = (f: Fault) => twilioError(f.status!, f.code ?? f.status!, f.message ?? "Injected fault");

export async function applyFault(f: Fault, ctx: ApiContext, handle: () => Reply | Promise<Reply>): Promise<Reply> {
  if (f.delay_ms) await sleep(f.delay_ms);
  if (!f.after && !f.callbacks_first && !f.hold_ms && !f.hold) {
    if (f.drop) return "drop";
    // A raw answer (malformed or surprising JSON) with `status`, default 200.
    if (f.body !== undefined) return { status: f.status ?? 200, body: f.body, headers: { "content-type": "application/json" } };
    if (f.status) return injected(f);
    return handle();
  }
  const reply = await handle();
  // The message this request created, for callbacks that beat the answer to the caller.
  const sid = reply !== "drop" && reply.status === 201 ? (reply.body as { sid?: unknown }).sid : undefined;
  const created = ctx.acct.messages.find((m) => m.sid === sid);
  for (const status of f.callbacks_first ?? []) if (created) await sendStatus(ctx.state, ctx.acct, created, status);
  if (f.hold) await new Promise<void>((release) => ctx.acct.held.push(release));
  // "after": the work is done; then the answer is lost, or replaced by `status` (a 504 from Twilio's edge).
  if (f.after) return f.status ? injected(f) : "drop";
  if (f.hold_ms) await sleep(f.hold_ms);
  return reply;
}
