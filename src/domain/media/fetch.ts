// Fetches one media item under a hop policy: redirects followed by hand (so each hop is checked before anything is
// sent to it), at most MAX_REDIRECTS of them, the size counted while the body streams (Content-Length is only a
// hint), and the content type checked against the allowlist. The outcome is a tagged union saying what to record:
// stored bytes, a refusal with its reason, or a transient failure worth another try later.
import { readAtMost } from "../../lib/bytes";
import { allowedType, bareType, humanSize, MAX_MEDIA_BYTES } from "./types";

export const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 20_000;

export type Fetched =
  | { status: "ok"; bytes: Uint8Array; contentType: string }
  | { status: "too_big" | "refused_type" | "failed"; reason: string }
  /** Worth trying again later: the network, a timeout, Twilio's 5xx or 429. */
  | { status: "transient"; reason: string };

export interface HopPolicy {
  /** Why this URL may not be fetched (null: it may). Asked of the first URL and of every redirect. */
  refuse(url: URL): string | null;
  /** Headers for a request to this URL (credentials only where they belong). */
  headers(url: URL): Record<string, string>;
  fetch?: typeof fetch;
  maxBytes?: number;
  timeoutMs?: number;
}

/**
 * `declaredType`: what the sender said the item is (MediaContentTypeN); refused before any request if not allowed.
 * Null when nobody said (a URL an agent attached): then what is served must be an allowed type.
 */
export async function fetchMedia(source: string, declaredType: string | null, policy: HopPolicy): Promise<Fetched> {
  if (declaredType !== null && !allowedType(declaredType)) return { status: "refused_type", reason: `${bareType(declaredType) || "no type"} is not a media type textgate keeps` };
  const maxBytes = policy.maxBytes ?? MAX_MEDIA_BYTES;
  const doFetch = policy.fetch ?? ((input, init) => fetch(input, init));
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return { status: "failed", reason: "the media URL is not a URL" };
  }
  for (let hop = 0; ; hop++) {
    const refused = policy.refuse(url);
    if (refused) return { status: "failed", reason: `refused ${hop ? "a redirect to " : ""}${url.origin}: ${refused}` };
    let res: Response;
    try {
      res = await doFetch(url.href, { redirect: "manual", headers: policy.headers(url), signal: AbortSignal.timeout(policy.timeoutMs ?? TIMEOUT_MS) });
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      return { status: "transient", reason: name === "TimeoutError" || name === "AbortError" ? `${url.host} did not answer in time` : `${url.host} could not be reached` };
    }
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      await res.body?.cancel();
      const location = res.headers.get("location");
      if (!location) return { status: "failed", reason: `${url.host} answered ${res.status} without a Location` };
      if (hop >= MAX_REDIRECTS) return { status: "failed", reason: `more than ${MAX_REDIRECTS} redirects` };
      try {
        url = new URL(location, url);
      } catch {
        return { status: "failed", reason: `${url.host} redirected to something that is not a URL` };
      }
      continue;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      const transient = res.status >= 500 || res.status === 429 || res.status === 408;
      return { status: transient ? "transient" : "failed", reason: `${url.host} answered HTTP ${res.status}` };
    }
    return readBody(res, declaredType, maxBytes);
  }
}

async function readBody(res: Response, declaredType: string | null, maxBytes: number): Promise<Fetched> {
  const served = bareType(res.headers.get("content-type"));
  // A CDN that does not know the type says octet-stream; then the sender's declared type stands.
  const contentType = served && served !== "application/octet-stream" ? served : bareType(declaredType);
  if (!allowedType(contentType)) {
    await res.body?.cancel();
    return { status: "refused_type", reason: `${contentType || "no type"} is not a media type textgate keeps` };
  }
  const tooBig = { status: "too_big" as const, reason: `larger than ${humanSize(maxBytes)}` };
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body?.cancel();
    return tooBig;
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await readAtMost(res.body, maxBytes);
  } catch {
    return { status: "transient", reason: "the download broke off" };
  }
  if (!bytes) return tooBig;
  return { status: "ok", bytes, contentType };
}
