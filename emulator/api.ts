// Twilio's REST API as the emulator serves it: Basic auth against the account, every request recorded, a test's
// injected fault applied, then the route table. A request it has no route for is answered 404 and recorded in
// `unexpected`, so tests fail loudly on it. New resources (Messaging Services, media) are new files of routes.
import type { IncomingMessage } from "node:http";
import { applyFault, takeFault } from "./faults.ts";
import { type Reply, type Route, match, notFound, twilioError } from "./http.ts";
import { mediaRoutes } from "./media.ts";
import { messageRoutes } from "./messages.ts";
import { serviceRoutes } from "./messaging-services.ts";
import { numberRoutes } from "./numbers.ts";
import type { Account, EmulatorState } from "./state.ts";

export interface ApiContext {
  state: EmulatorState;
  acct: Account;
  form: Record<string, string>;
  /** The repeated MediaUrl values of the form (an MMS), in order. */
  mediaUrls: string[];
  url: URL;
  /** Records a request Twilio would refuse and textgate should never make (a test asserts there are none). */
  unexpected(what: string): void;
}

export const apiRoutes: Route<ApiContext>[] = [...numberRoutes, ...messageRoutes, ...serviceRoutes, ...mediaRoutes];

/** Basic auth as Twilio checks it: the account's SID and auth token, and the account the path names. */
function authenticate(state: EmulatorState, req: IncomingMessage, pathAccount: string | undefined): Account | undefined {
  const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
  const colon = auth.indexOf(":");
  const acct = state.accounts.get(auth.slice(0, colon));
  if (!acct || auth.slice(colon + 1) !== acct.token) return undefined;
  if (pathAccount !== undefined && pathAccount !== acct.sid) return undefined;
  return acct;
}

export async function handleApi(state: EmulatorState, req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
  const method = req.method ?? "GET";
  const found = match(apiRoutes, method, url.pathname);
  if (!found) {
    state.unexpected.push(`${method} ${url.pathname}`);
    return notFound(url.pathname);
  }
  const acct = authenticate(state, req, found.params.AccountSid);
  if (!acct) return twilioError(401, 20003, "Authenticate");
  const fields = new URLSearchParams(raw);
  const form = Object.fromEntries(fields);
  const mediaUrls = fields.getAll("MediaUrl");
  // Recorded as tests read it: "Messages.json", "IncomingPhoneNumbers/PN….json" under the account.
  const path = url.pathname.replace(`/2010-04-01/Accounts/${acct.sid}/`, "");
  acct.requests.push({ method, path, form, ...(mediaUrls.length ? { media_urls: mediaUrls } : {}) });
  const ctx: ApiContext = { state, acct, form, mediaUrls, url, unexpected: (what) => state.unexpected.push(what) };
  const handle = () => found.route.handle(ctx, found.params);
  const fault = takeFault(acct, method, path);
  return fault ? applyFault(fault, ctx, handle) : handle();
}
