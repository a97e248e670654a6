// Which URLs an agent may attach to a reply (attach_media): only under the prefixes the owner listed in
// MEDIA_ALLOWED_URLS, every redirect included. A prefix is matched by origin and path folder, never as a string,
// so "https://example.com" does not let in "https://example.com.evil.org". Plain http only for a local prefix.
import { addressKind } from "./hosts";

export type UrlPrefix = { origin: string; path: string };

/** The usable prefixes of MEDIA_ALLOWED_URLS (comma or space separated), and the ones that are not. */
export function parseAllowedUrls(raw: string | undefined): { prefixes: UrlPrefix[]; invalid: string[] } {
  const prefixes: UrlPrefix[] = [];
  const invalid: string[] = [];
  for (const item of (raw ?? "").split(/[\s,]+/).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      invalid.push(item);
      continue;
    }
    const local = url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    if ((url.protocol !== "https:" && !local) || url.username || url.password || url.search || url.hash) invalid.push(item);
    else prefixes.push({ origin: url.origin, path: url.pathname });
  }
  return { prefixes, invalid };
}

/** Why `url` may not be fetched for an attachment, or null when it is under one of the prefixes. */
export function refuseAttachUrl(url: URL, prefixes: UrlPrefix[]): string | null {
  if (url.username || url.password) return `${url.origin} carries credentials in the URL`;
  const listed = prefixes.some((p) => under(url, p));
  if (listed) return null;
  const kind = addressKind(url.hostname);
  return kind ? `${url.hostname} is ${kind}` : `${url.origin}${url.pathname} is not under MEDIA_ALLOWED_URLS`;
}

/**
 * A prefix names a folder: "/images" lets in "/images" and "/images/…", not "/images-private" or
 * "/images.evil.com/…". A path with an encoded slash or backslash is never under one: servers decode those into
 * separators, so "/images/..%2Fadmin" would step out of the folder after the check.
 */
function under(url: URL, p: UrlPrefix): boolean {
  if (url.origin !== p.origin || /%2f|%5c/i.test(url.pathname)) return false;
  return url.pathname === p.path || url.pathname.startsWith(p.path.endsWith("/") ? p.path : `${p.path}/`);
}
