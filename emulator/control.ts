// The emulator's control routes under /__fake, for tests and scripts: create accounts, inject faults, read what
// the app asked, text a number (with media), change a number "elsewhere", move a message's status. Not part of
// Twilio's API.
import { type Reply, type Route, json, route } from "./http.ts";
import { mediaControlRoutes } from "./media.ts";
import { messageResource } from "./messages.ts";
import { serviceControlRoutes } from "./messaging-services.ts";
import type { EmulatorState, EmulatedMessage } from "./state.ts";
import { hex } from "./state.ts";
import { sendInbound, sendStatus } from "./webhooks.ts";

export interface ControlContext {
  state: EmulatorState;
  /** The request's JSON body ({} when empty). */
  body: any;
}

const noAccount = json(404, { error: "no such emulator account" });

const ACCOUNT = "/__fake/accounts/:sid";

export const controlRoutes: Route<ControlContext>[] = [
  route("POST", "/__fake/accounts", ({ state, body }) => {
    const acct = state.addAccount(body);
    return json(201, { sid: acct.sid, token: acct.token, numbers: acct.numbers });
  }),

  route("GET", `${ACCOUNT}/state`, ({ state }, { sid }) => {
    const acct = state.accounts.get(sid!);
    return acct ? json(200, { numbers: acct.numbers, messages: acct.messages, requests: acct.requests }) : noAccount;
  }),

  route("POST", `${ACCOUNT}/faults`, ({ state, body }, { sid }) => {
    const acct = state.accounts.get(sid!);
    if (!acct) return noAccount;
    acct.faults.push({ times: 1, ...body });
    return json(201, { faults: acct.faults.length });
  }),

  // Lets every answer a `hold` fault is holding go out; answers how many there were.
  route("POST", `${ACCOUNT}/release`, ({ state }, { sid }) => {
    const acct = state.accounts.get(sid!);
    if (!acct) return noAccount;
    const held = acct.held.splice(0);
    for (const release of held) release();
    return json(200, { released: held.length });
  }),

  // Someone changes the number "elsewhere" (the Twilio console, another app): not an API request of ours.
  route("POST", `${ACCOUNT}/numbers/:number`, ({ state, body }, { sid, number }) => {
    const n = state.accounts.get(sid!)?.numbers.find((x) => x.sid === number || x.phone_number === number);
    if (!n) return json(404, { error: "no such number" });
    for (const key of ["sms_url", "sms_method", "sms_application_sid"] as const) if (typeof body[key] === "string") n[key] = body[key];
    return json(200, n);
  }),

  route("POST", `${ACCOUNT}/inbound`, async ({ state, body }, { sid }) => {
    if (!state.accounts.has(sid!)) return noAccount;
    return json(200, await sendInbound(state, sid!, body));
  }),

  // An outbound message created earlier (e.g. the same reply text an hour ago), for reconciliation tests.
  route("POST", `${ACCOUNT}/messages`, ({ state, body }, { sid }) => {
    const acct = state.accounts.get(sid!);
    if (!acct) return noAccount;
    const created = new Date(Date.now() - (body.age_ms ?? 0)).toUTCString();
    const m: EmulatedMessage = { sid: `SM${hex(16)}`, to: body.to, from: body.from, body: body.body, status: body.status ?? "delivered", status_callback: null, num_segments: "1", date_created: created, date_sent: created, direction: "outbound-api", error_code: null, messaging_service_sid: body.messaging_service_sid ?? null };
    acct.messages.push(m);
    return json(201, messageResource(acct, m));
  }),

  route("POST", `${ACCOUNT}/messages/:message/status`, async ({ state, body }, { sid, message }) => {
    const acct = state.accounts.get(sid!);
    const m = acct?.messages.find((x) => x.sid === message);
    if (!acct || !m) return json(404, { error: "no such message" });
    return json(200, await sendStatus(state, acct, m, body.status, body.error_code));
  }),

  // What the emulator had no route for since the last DELETE; test/helpers/emulator-clean.ts asserts it is empty.
  route("GET", "/__fake/unexpected", ({ state }) => json(200, { unexpected: state.unexpected })),
  route("DELETE", "/__fake/unexpected", ({ state }): Reply => json(200, { unexpected: state.unexpected.splice(0) })),

  ...serviceControlRoutes,
  ...mediaControlRoutes,
];
