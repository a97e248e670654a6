// Test-side handle on the fake Twilio server (emulator/twilio.ts) and a webhook sender that signs with
// the twilio package's own getExpectedTwilioSignature, so our verifier is checked against Twilio's reference code.
import { env } from "cloudflare:workers";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { expect, vi } from "vitest";
import { BASE, api, call, json } from "./api";

export interface FakeAccount {
  sid: string;
  token: string;
  numbers: { sid: string; phone_number: string; sms_url: string; sms_method: string; sms_application_sid: string; capabilities: { sms: boolean } }[];
}

const fake = (path: string, init?: RequestInit) => fetch(`${env.TWILIO_API_BASE}/__fake${path}`, init);

export async function fakeAccount(numbers: { phone_number: string; sms?: boolean }[] = [{ phone_number: "+15550001111" }]): Promise<FakeAccount> {
  const res = await fake("/accounts", { method: "POST", body: JSON.stringify({ numbers }) });
  return res.json();
}

export async function fakeState(sid: string): Promise<{
  numbers: FakeAccount["numbers"];
  messages: { sid: string; to: string; from: string; body: string; status: string; status_callback: string | null; messaging_service_sid: string | null; error_code?: number | null; media_urls?: string[] }[];
  requests: { method: string; path: string; form: Record<string, string>; media_urls?: string[] }[];
}> {
  return (await fake(`/accounts/${sid}/state`)).json();
}

export async function injectFault(
  sid: string,
  fault: { match: string; method?: string; after?: boolean; status?: number; code?: number; message?: string; drop?: boolean; times?: number; delay_ms?: number; callbacks_first?: string[]; hold_ms?: number; hold?: boolean; body?: string },
) {
  await fake(`/accounts/${sid}/faults`, { method: "POST", body: JSON.stringify(fault) });
}

/**
 * With a `hold` fault on Messages.json: waits until Twilio has created the message to `to` and is holding its answer
 * (the app does not know the SID yet), and returns its SID.
 */
export async function heldSend(sid: string, to: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const m = (await fakeState(sid)).messages.find((x) => x.to === to);
      expect(m, "the send reached Twilio").toBeDefined();
      return m!.sid;
    },
    { timeout: 10_000, interval: 20 },
  );
}

/** Lets the answers held by `hold` faults go out to the app; resolves to how many there were. */
export async function releaseHeld(sid: string): Promise<number> {
  const res = await fake(`/accounts/${sid}/release`, { method: "POST" });
  return ((await res.json()) as { released: number }).released;
}

/** An outbound message the account sent `age_ms` ago (e.g. an earlier reply with the same text). */
export async function seedSentMessage(sid: string, m: { to: string; from: string; body: string; age_ms: number }) {
  await fake(`/accounts/${sid}/messages`, { method: "POST", body: JSON.stringify(m) });
}

/** Changes a number the way the Twilio console (or another app) would: no API request of ours is recorded. */
export async function changeNumberElsewhere(sid: string, number: string, fields: { sms_url?: string; sms_method?: string; sms_application_sid?: string }) {
  const res = await fake(`/accounts/${sid}/numbers/${encodeURIComponent(number)}`, { method: "POST", body: JSON.stringify(fields) });
  if (!res.ok) throw new Error(`fake number change failed: ${res.status}`);
}

export interface ServiceFields {
  friendly_name?: string;
  inbound_request_url?: string | null;
  inbound_method?: "GET" | "POST" | null;
  use_inbound_webhook_on_number?: boolean;
  /** The Sender Pool: phone numbers of the account. */
  numbers?: string[];
}

/** A Messaging Service in the fake account (as made in the Twilio console): defers inbound to the number unless told. */
export async function fakeService(accountSid: string, fields: ServiceFields = {}): Promise<{ sid: string } & Required<ServiceFields>> {
  const res = await fake(`/accounts/${accountSid}/services`, { method: "POST", body: JSON.stringify(fields) });
  if (res.status !== 201) throw new Error(`fake service creation failed: ${res.status}`);
  return res.json();
}

/** Changes a Messaging Service the way the Twilio console would: no API request of ours is recorded. */
export async function changeServiceElsewhere(accountSid: string, serviceSid: string, fields: ServiceFields) {
  const res = await fake(`/accounts/${accountSid}/services/${serviceSid}`, { method: "POST", body: JSON.stringify(fields) });
  if (!res.ok) throw new Error(`fake service change failed: ${res.status}`);
}

let seq = 0;
export const messageSid = () => `SM${(Date.now().toString(16) + (++seq).toString(16)).padStart(32, "0").slice(-32)}`;

/**
 * Posts a Twilio-signed form to the worker. `url` is what Twilio would have called (defaults to the public URL). An
 * array value sends its key once per element (Twilio signs those sorted, one after another).
 */
export async function signedPost(path: string, params: Record<string, string | string[]>, authToken: string, opts: { signUrl?: string; signature?: string | null } = {}) {
  const url = opts.signUrl ?? `${env.SERVER_EXTERNAL_URL}${path}`;
  const signature = opts.signature === undefined ? getExpectedTwilioSignature(authToken, url, params) : opts.signature;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (signature !== null) headers["x-twilio-signature"] = signature;
  const body = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])));
  return call(new Request(`${BASE}${path}`, { method: "POST", headers, body: body.toString() }));
}

/** The form of an inbound SMS as Twilio sends it to /webhooks/twilio/sms/:id. */
export function smsForm(channel: { config: { account_sid: string; from_number: string } }, from: string, body: string, sid = messageSid()): Record<string, string> {
  return { MessageSid: sid, SmsSid: sid, AccountSid: channel.config.account_sid, From: from, To: channel.config.from_number, Body: body, NumMedia: "0", NumSegments: "1", ApiVersion: "2010-04-01" };
}

/** An inbound SMS as Twilio sends it to /webhooks/twilio/sms/:id. */
export function sms(channel: { id: string; config: { account_sid: string; from_number: string } }, token: string, from: string, body: string, sid = messageSid()) {
  return signedPost(`/webhooks/twilio/sms/${channel.id}`, smsForm(channel, from, body, sid), token);
}

/** POST /api/channels for `account`'s `number`, with more config (messaging_service_sid, say) when given. */
export function createChannel(account: { sid: string; token: string }, number: string, on: { space: { id: string }; agent: { id: string } }, config: Record<string, unknown> = {}) {
  return api("POST", "/api/channels", { provider: "twilio_sms", space_id: on.space.id, agent_id: on.agent.id, config: { account_sid: account.sid, auth_token: account.token, from_number: number, ...config } });
}

/** A space, agent, fake account and a channel registered against it (status pairing). */
export async function seedChannel(
  opts: { numbers?: { phone_number: string; sms?: boolean }[]; dispatch_mode?: "message" | "signal"; handle?: string; service?: (account: FakeAccount) => Promise<string> } = {},
) {
  const account = await fakeAccount(opts.numbers);
  const service = opts.service ? await opts.service(account) : undefined;
  const space = await json(api("POST", "/api/spaces", { name: "Home" }));
  const agent = await json(api("POST", "/api/agents", { name: "Assistant", space_id: space.id, ...(opts.handle ? { handle: opts.handle } : {}) }));
  const res = await api("POST", "/api/channels", {
    provider: "twilio_sms",
    space_id: space.id,
    agent_id: agent.id,
    ...(opts.dispatch_mode ? { dispatch_mode: opts.dispatch_mode } : {}),
    config: { account_sid: account.sid, auth_token: account.token, from_number: account.numbers[0]!.phone_number, ...(service ? { messaging_service_sid: service } : {}) },
  });
  const channel = await res.json<any>();
  return { account, space, agent, channel, status: res.status };
}

/** Pairs `phone` with the channel by texting the current code. */
export async function pair(channel: any, token: string, phone: string) {
  const res = await sms(channel, token, phone, channel.pairing.code);
  if (res.status !== 200) throw new Error(`pairing webhook answered ${res.status}: ${await res.text()}`);
  return json(api("GET", `/api/channels/${channel.id}`));
}

/** Sends a Twilio status callback for an outbound message, signed like Twilio's (`extra`: more of Twilio's fields). */
export function statusCallback(channel: { id: string; config: { account_sid: string } }, token: string, sid: string, status: string, errorCode?: string, extra: Record<string, string> = {}) {
  const params: Record<string, string> = { ...extra, MessageSid: sid, SmsSid: sid, AccountSid: channel.config.account_sid, MessageStatus: status, SmsStatus: status, ApiVersion: "2010-04-01" };
  if (errorCode) params.ErrorCode = errorCode;
  return signedPost(`/webhooks/twilio/sms/${channel.id}/status`, params, token);
}

/** A media item as the emulator serves it (emulator/media.ts): bytes, or filler of a size, and misbehaviours. */
export type FakeMedia = { content_type: string; data_b64?: string; size?: number; redirect_to?: string; extra_redirects?: number; serve_type?: string; chunked?: boolean };

/** An inbound MMS: the emulator holds its media (served with Basic auth and a redirect, as Twilio does); we post the webhook. */
export async function mms(channel: { id: string; config: { account_sid: string; from_number: string } }, token: string, from: string, body: string, media: FakeMedia[]) {
  const res = await fake(`/accounts/${channel.config.account_sid}/media`, { method: "POST", body: JSON.stringify({ media }) });
  const { message_sid, params } = await res.json<{ message_sid: string; params: Record<string, string> }>();
  const webhook = await signedPost(`/webhooks/twilio/sms/${channel.id}`, { ...smsForm(channel, from, body, message_sid), ...params }, token);
  return { webhook, messageSid: message_sid, params };
}

/** A 1×1 PNG and a 1×1 GIF, real images a model could be shown. */
export const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
export const GIF_B64 = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
