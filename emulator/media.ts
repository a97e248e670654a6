// Media in the Twilio emulator, served the way Twilio serves it. An inbound MMS's MediaUrlN is
// {emulator}/2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}: with the account's Basic auth it answers 307 to a
// short-lived CDN path (/__cdn/{ME}?Expires=…), which serves the bytes to anyone holding the URL, as
// mms.twiliocdn.com does. DELETE …/Media/{ME}.json removes an item (204). For tests an item can be made to
// misbehave: a redirect to another place, more redirects than anyone should follow, another served type, or a
// body sent without Content-Length.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

export interface MediaInput {
  content_type: string;
  /** The bytes, base64; or `size` bytes of filler. */
  data_b64?: string;
  size?: number;
  /** The API hop redirects here instead of to the CDN (e.g. http://10.0.0.1/…). */
  redirect_to?: string;
  /** CDN hops after the first (each redirects to the next): more than a client should follow. */
  extra_redirects?: number;
  /** The type the CDN serves, when it differs from the declared one. */
  serve_type?: string;
  /** Serve the body chunked, with no Content-Length to go by. */
  chunked?: boolean;
}

interface StoredMedia extends Omit<MediaInput, "data_b64" | "size"> {
  sid: string;
  accountSid: string;
  messageSid: string;
  bytes: Buffer;
  fetches: number;
}

const hex = (n: number) => randomBytes(n).toString("hex");
const API = /^Messages\/((?:SM|MM)[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})(\.json)?$/;

export function emulatorMedia(baseUrl: () => string) {
  const items = new Map<string, StoredMedia>();

  /** Stores an inbound message's media; returns the webhook fields Twilio would send for them. */
  function add(accountSid: string, messageSid: string, inputs: MediaInput[]): Record<string, string> {
    const params: Record<string, string> = { NumMedia: String(inputs.length) };
    inputs.forEach((input, i) => {
      const sid = `ME${hex(16)}`;
      const bytes = input.data_b64 !== undefined ? Buffer.from(input.data_b64, "base64") : Buffer.alloc(input.size ?? 1024, 0x5a);
      const { data_b64: _d, size: _s, ...rest } = input;
      items.set(sid, { ...rest, sid, accountSid, messageSid, bytes, fetches: 0 });
      params[`MediaUrl${i}`] = `${baseUrl()}/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${sid}`;
      params[`MediaContentType${i}`] = input.content_type;
    });
    return params;
  }

  /** An account's media routes (Basic auth already checked); false when `path` is not one. */
  function api(req: IncomingMessage, res: ServerResponse, accountSid: string, path: string): boolean {
    const m = API.exec(path);
    if (!m) return false;
    const item = items.get(m[2]!);
    if (!item || item.accountSid !== accountSid || item.messageSid !== m[1]) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 20404, message: `The requested resource /2010-04-01/Accounts/${accountSid}/${path} was not found`, more_info: "https://www.twilio.com/docs/errors/20404", status: 404 }));
      return true;
    }
    if (req.method === "DELETE" && m[3]) {
      items.delete(item.sid);
      res.writeHead(204).end();
      return true;
    }
    if (req.method === "GET" && m[3]) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ sid: item.sid, account_sid: accountSid, parent_sid: item.messageSid, content_type: item.content_type, uri: `/2010-04-01/Accounts/${accountSid}/${path}` }));
      return true;
    }
    if (req.method !== "GET") return false;
    item.fetches++;
    res.writeHead(307, { location: item.redirect_to ?? cdnUrl(item.sid, 0) }).end();
    return true;
  }

  const cdnUrl = (sid: string, hop: number) => `${baseUrl()}/__cdn/${sid}?Expires=${Math.floor(Date.now() / 1000) + 4 * 3600}&Hop=${hop}&Signature=${hex(8)}`;

  /** The CDN: no auth, the URL is the credential. */
  function cdn(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const m = /^\/__cdn\/(ME[0-9a-f]{32})$/.exec(url.pathname);
    if (!m || req.method !== "GET") return false;
    const item = items.get(m[1]!);
    if (!item) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return true;
    }
    const hop = Number(url.searchParams.get("Hop") ?? 0);
    if (hop < (item.extra_redirects ?? 0)) {
      res.writeHead(302, { location: cdnUrl(item.sid, hop + 1) }).end();
      return true;
    }
    const type = item.serve_type ?? item.content_type;
    if (item.chunked) {
      res.writeHead(200, { "content-type": type, "transfer-encoding": "chunked" });
      for (let at = 0; at < item.bytes.length; at += 64 * 1024) res.write(item.bytes.subarray(at, at + 64 * 1024));
      res.end();
    } else {
      res.writeHead(200, { "content-type": type, "content-length": String(item.bytes.length) });
      res.end(item.bytes);
    }
    return true;
  }

  /** How often an item was fetched through the API (tests count retries with it). */
  const fetches = (sid: string) => items.get(sid)?.fetches ?? null;

  return { add, api, cdn, fetches, has: (sid: string) => items.has(sid) };
}

/** The CDN paths (no auth) of an inbound message's media, from its webhook fields: what the phone page shows. */
export function cdnPaths(params: Record<string, string>): string[] {
  return Object.keys(params)
    .filter((k) => /^MediaUrl\d+$/.test(k))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
    .map((k) => `/__cdn/${params[k]!.split("/Media/")[1]}`);
}

/** Twilio's checks on the MediaUrl values of a Messages create: an error body, or null. */
export function refuseMediaUrls(urls: string[]) {
  const error = (code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
  if (urls.length > 10) return error(21623, "Number of media files exceeds allowed limit");
  if (urls.some((u) => !/^https?:\/\/[^\s]+$/.test(u))) return error(21620, "Invalid media URL(s)");
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
