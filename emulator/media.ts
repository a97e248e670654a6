// Media in the Twilio emulator, served the way Twilio serves it. An inbound MMS's MediaUrlN is
// {emulator}/2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}: with the account's Basic auth it answers 307 to a
// short-lived CDN path (/__cdn/{ME}?Expires=…), which serves the bytes to anyone holding the URL, as
// mms.twiliocdn.com does. DELETE …/Media/{ME}.json removes an item (204). For tests an item can be made to
// misbehave: a redirect to another place, more redirects than anyone should follow, another served type, or a
// body sent without Content-Length. Outbound, Twilio checks an MMS's MediaUrl values and fetches them.
import { z } from "zod";
import type { ApiContext } from "./api.ts";
import type { ControlContext } from "./control.ts";
import { type Reply, type Route, json, notFound, route } from "./http.ts";
import { type Account, type EmulatedMedia, type EmulatorState, hex } from "./state.ts";

export const MediaInput = z.object({
  content_type: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "a media type"),
  /** The bytes, base64 (at most 7 000 000 characters: 5 MB); or `size` bytes of filler. */
  data_b64: z.string().max(7_000_000, "at most 5 MB").optional(),
  size: z.number().int().min(0).max(8 * 1024 * 1024).optional(),
  /** The API hop redirects here instead of to the CDN (e.g. http://10.0.0.1/…). */
  redirect_to: z.string().optional(),
  /** CDN hops after the first (each redirects to the next): more than a client should follow. */
  extra_redirects: z.number().int().min(0).max(20).optional(),
  /** The type the CDN serves, when it differs from the declared one. */
  serve_type: z.string().optional(),
  /** Serve the body chunked, with no Content-Length to go by. */
  chunked: z.boolean().optional(),
});
export type MediaInput = z.infer<typeof MediaInput>;

/** Stores an inbound message's media; returns the webhook fields Twilio sends for them (NumMedia, MediaUrlN, …). */
export function addMedia(state: EmulatorState, acct: Account, messageSid: string, inputs: MediaInput[]): Record<string, string> {
  const fields: Record<string, string> = { NumMedia: String(inputs.length) };
  inputs.forEach(({ data_b64, size, ...rest }, i) => {
    const sid = `ME${hex(16)}`;
    const bytes = data_b64 ?? Buffer.alloc(size ?? 1024, 0x5a).toString("base64");
    state.media.set(sid, { ...rest, sid, account_sid: acct.sid, message_sid: messageSid, data_b64: bytes });
    fields[`MediaUrl${i}`] = `${state.baseUrl}/2010-04-01/Accounts/${acct.sid}/Messages/${messageSid}/Media/${sid}`;
    fields[`MediaContentType${i}`] = rest.content_type;
  });
  state.changed();
  return fields;
}

/** The CDN paths (no auth) of an inbound message's media, from its webhook fields: what the phone page shows. */
export function cdnPaths(fields: Record<string, string>): string[] {
  return Object.keys(fields)
    .filter((k) => /^MediaUrl\d+$/.test(k))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
    .map((k) => `/__cdn/${fields[k]!.split("/Media/")[1]}`);
}

const cdnUrl = (state: EmulatorState, sid: string, hop: number) =>
  `${state.baseUrl}/__cdn/${sid}?Expires=${Math.floor(Date.now() / 1000) + 4 * 3600}&Hop=${hop}&Signature=${hex(8)}`;

const ITEM = "/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media/:Sid";

/** The account's item the path names, or undefined (answered 404 as Twilio does). */
const itemOf = (state: EmulatorState, acct: Account, p: Record<string, string>): EmulatedMedia | undefined => {
  const item = state.media.get(p.Sid!);
  return item && item.account_sid === acct.sid && item.message_sid === p.MessageSid ? item : undefined;
};

/** Twilio's Media resource routes (Basic auth already checked by api.ts). */
export const mediaRoutes: Route<ApiContext>[] = [
  route("GET", ITEM, ({ state, acct, url }, p) => {
    const item = itemOf(state, acct, p);
    if (!item) return notFound(url.pathname);
    return { status: 307, body: undefined, headers: { location: item.redirect_to ?? cdnUrl(state, item.sid, 0) } };
  }),
  route("GET", `${ITEM}.json`, ({ state, acct, url }, p) => {
    const item = itemOf(state, acct, p);
    if (!item) return notFound(url.pathname);
    return json(200, { sid: item.sid, account_sid: acct.sid, parent_sid: item.message_sid, content_type: item.content_type, uri: url.pathname });
  }),
  route("DELETE", `${ITEM}.json`, ({ state, acct, url }, p) => {
    const item = itemOf(state, acct, p);
    if (!item) return notFound(url.pathname);
    state.media.delete(item.sid);
    return { status: 204, body: undefined };
  }),
];

/** The CDN: no auth, the URL is the credential. */
export const cdnRoutes: Route<{ state: EmulatorState; url: URL }>[] = [
  route("GET", "/__cdn/:Sid", ({ state, url }, { Sid }): Reply => {
    const item = state.media.get(Sid!);
    if (!item) return { status: 404, body: "Not found", headers: { "content-type": "text/plain" } };
    const hop = Number(url.searchParams.get("Hop") ?? 0);
    if (hop < (item.extra_redirects ?? 0)) return { status: 302, body: undefined, headers: { location: cdnUrl(state, item.sid, hop + 1) } };
    const bytes = Buffer.from(item.data_b64, "base64");
    const length: Record<string, string> = item.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(bytes.length) };
    return { status: 200, body: bytes, headers: { "content-type": item.serve_type ?? item.content_type, ...length } };
  }),
];

const AddMedia = z.object({ message_sid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/).optional(), media: z.array(MediaInput).max(10) });

export const mediaControlRoutes: Route<ControlContext>[] = [
  // Media for an inbound MMS a test posts itself: the webhook fields Twilio would send for them.
  route("POST", "/__fake/accounts/:sid/media", ({ state, body }, { sid }) => {
    const acct = state.accounts.get(sid!);
    if (!acct) return json(404, { error: "no such emulator account" });
    const parsed = AddMedia.safeParse(body);
    if (!parsed.success) return json(400, { error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    const messageSid = parsed.data.message_sid ?? `MM${hex(16)}`;
    return json(201, { message_sid: messageSid, params: addMedia(state, acct, messageSid, parsed.data.media) });
  }),
];

/** Twilio's checks on the MediaUrl values of a Messages create: [code, message], or null. */
export function refuseMediaUrls(urls: string[]): [number, string] | null {
  if (urls.length > 10) return [21623, "Number of media files exceeds allowed limit"];
  if (urls.some((u) => !/^https?:\/\/[^\s]+$/.test(u))) return [21620, "Invalid media URL(s)"];
  return null;
}

/** What Twilio does before sending an MMS: fetch each MediaUrl, without credentials. An error code, or null. */
export async function fetchMediaUrls(urls: string[]): Promise<string | null> {
  for (const u of urls) {
    const res = await fetch(u, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
    if (!res?.ok) return "11200";
    await res.arrayBuffer();
  }
  return null;
}
