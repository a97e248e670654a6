// The media fetcher under Twilio's hop policy, against a scripted fetch: every hop is checked before a request goes
// to it, the credentials go to Twilio's API host only, redirects are counted, and the size is counted, not believed.
import { describe, expect, it } from "vitest";
import { addressKind, fetchMedia, refuseMediaHop, sendsCredentials, type HopPolicy } from "../../../src/domain/media";

const API = "https://api.twilio.com";
const MEDIA = `${API}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1`;
const AUTH = "Basic QUMxOnRva2Vu";

/** A fetch that answers from a table and records each request with its headers. */
function scripted(routes: Record<string, () => Response>) {
  const seen: { url: string; authorization: string | null; redirect: RequestInit["redirect"] }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    seen.push({ url, authorization: new Headers(init?.headers).get("authorization"), redirect: init?.redirect });
    const route = routes[url];
    if (!route) throw new Error(`unexpected fetch ${url}`);
    return route();
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const twilio = (fetch: typeof globalThis.fetch, apiBase = API): HopPolicy => ({
  refuse: (url) => refuseMediaHop(url, apiBase),
  headers: (url): Record<string, string> => (sendsCredentials(url, apiBase) ? { authorization: AUTH } : {}),
  fetch,
});
const redirect = (to: string, status = 307) => () => new Response(null, { status, headers: { location: to } });
const image = (bytes = new Uint8Array([1, 2, 3]), headers: Record<string, string> = { "content-type": "image/jpeg" }) => () => new Response(bytes, { headers });

describe("fetchMedia with Twilio's hops", () => {
  it("follows Twilio's redirect to its CDN by hand, sending the credentials to the API host only", async () => {
    const cdn = "https://mms.twiliocdn.com/AC1/abc?Expires=1&Signature=x";
    const { fetch, seen } = scripted({ [MEDIA]: redirect(cdn), [cdn]: image() });
    expect(await fetchMedia(MEDIA, "image/jpeg", twilio(fetch))).toEqual({ status: "ok", bytes: new Uint8Array([1, 2, 3]), contentType: "image/jpeg" });
    expect(seen).toEqual([
      { url: MEDIA, authorization: AUTH, redirect: "manual" },
      { url: cdn, authorization: null, redirect: "manual" },
    ]);
  });

  it("takes Twilio's legacy S3 media only in Twilio's bucket", async () => {
    const s3 = "https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc";
    const other = "https://s3-external-1.amazonaws.com/someone-else/abc";
    const { fetch } = scripted({ [MEDIA]: redirect(s3), [s3]: image() });
    expect((await fetchMedia(MEDIA, "image/jpeg", twilio(fetch))).status).toBe("ok");
    const { fetch: f2, seen } = scripted({ [MEDIA]: redirect(other) });
    expect(await fetchMedia(MEDIA, "image/jpeg", twilio(f2))).toEqual({ status: "failed", reason: "refused a redirect to https://s3-external-1.amazonaws.com: s3-external-1.amazonaws.com is not one of Twilio's media hosts" });
    expect(seen).toHaveLength(1);
  });

  it.each([
    ["http://127.0.0.1:8080/x", "127.0.0.1 is a loopback address"],
    ["http://10.1.2.3/x", "10.1.2.3 is a private address"],
    ["http://192.168.0.10/x", "192.168.0.10 is a private address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"],
    ["http://[fe80::1]/x", "[fe80::1] is a link-local address"],
    ["http://0x7f000001/x", "127.0.0.1 is a loopback address"],
    ["https://8.8.8.8/x", "8.8.8.8 is an IP address"],
    ["http://media.twiliocdn.com/x", "http is not https"],
    ["https://media.twiliocdn.com:8443/x", "port 8443 is not Twilio's"],
    ["https://user:pw@media.twiliocdn.com/x", "https://media.twiliocdn.com carries credentials in the URL"],
    ["https://media.twiliocdn.com.evil.example/x", "media.twiliocdn.com.evil.example is not one of Twilio's media hosts"],
    ["https://evil:pw@api.twilio.com/x", "https://api.twilio.com carries credentials in the URL"],
    ["http://0x7f.1/x", "127.0.0.1 is a loopback address"],
    ["http://2130706433/x", "127.0.0.1 is a loopback address"],
    ["https://[::ffff:127.0.0.1]/x", "[::ffff:7f00:1] is an IP address"],
    ["https://[::ffff:7f00:1]/x", "[::ffff:7f00:1] is an IP address"],
    ["https://MEDIA.TWILIOCDN.COM./x", "media.twiliocdn.com. is not one of Twilio's media hosts"],
    ["https://API.TWILIO.COM./x", "api.twilio.com. is not one of Twilio's media hosts"],
  ])("refuses a redirect to %s, sending it nothing", async (to, why) => {
    const { fetch, seen } = scripted({ [MEDIA]: redirect(to) });
    const got = await fetchMedia(MEDIA, "image/jpeg", twilio(fetch));
    expect(got.status).toBe("failed");
    expect(got.status !== "ok" && got.reason).toContain(why);
    expect(seen.map((s) => s.url)).toEqual([MEDIA]);
  });

  it("refuses a first URL that is not Twilio's without fetching it", async () => {
    const { fetch, seen } = scripted({});
    expect(await fetchMedia("https://evil.example/x.png", "image/png", twilio(fetch))).toMatchObject({ status: "failed", reason: expect.stringContaining("evil.example is not one of Twilio's media hosts") });
    expect(seen).toEqual([]);
  });

  it("allows the configured API base (a local emulator), credentials included", async () => {
    const local = "http://127.0.0.1:8788";
    const url = `${local}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1`;
    const { fetch, seen } = scripted({ [url]: redirect(`${local}/__cdn/ME1`), [`${local}/__cdn/ME1`]: image() });
    expect((await fetchMedia(url, "image/jpeg", twilio(fetch, local))).status).toBe("ok");
    expect(seen.map((s) => s.authorization)).toEqual([AUTH, AUTH]);
  });

  it("follows at most three redirects", async () => {
    const hop = (n: number) => `https://media.twiliocdn.com/${n}`;
    const routes = { [MEDIA]: redirect(hop(1)), [hop(1)]: redirect(hop(2)), [hop(2)]: redirect(hop(3)), [hop(3)]: redirect(hop(4)), [hop(4)]: image() };
    expect(await fetchMedia(MEDIA, "image/jpeg", twilio(scripted(routes).fetch))).toEqual({ status: "failed", reason: "more than 3 redirects" });
    expect((await fetchMedia(hop(1), "image/jpeg", twilio(scripted(routes).fetch))).status).toBe("ok");
  });

  it("counts the bytes: a body longer than its Content-Length says is still too big", async () => {
    const big = new Uint8Array(2000);
    const lying = () => new Response(new ReadableStream({ start: (c) => (c.enqueue(big), c.close()) }), { headers: { "content-type": "image/png", "content-length": "10" } });
    const policy = { ...twilio(scripted({ [MEDIA]: lying }).fetch), maxBytes: 1000 };
    expect(await fetchMedia(MEDIA, "image/png", policy)).toEqual({ status: "too_big", reason: "larger than 1000 bytes" });
    const honest = { ...twilio(scripted({ [MEDIA]: image(big, { "content-type": "image/png", "content-length": "2000" }) }).fetch), maxBytes: 1000 };
    expect((await fetchMedia(MEDIA, "image/png", honest)).status).toBe("too_big");
  });

  it("checks the type before fetching and again on what is served; octet-stream keeps the declared type", async () => {
    const none = scripted({});
    expect(await fetchMedia(MEDIA, "text/html", twilio(none.fetch))).toEqual({ status: "refused_type", reason: "text/html is not a media type textgate keeps" });
    expect(none.seen).toEqual([]);
    expect((await fetchMedia(MEDIA, "image/png", twilio(scripted({ [MEDIA]: image(undefined, { "content-type": "image/svg+xml" }) }).fetch))).status).toBe("refused_type");
    expect(await fetchMedia(MEDIA, "image/png", twilio(scripted({ [MEDIA]: image(undefined, { "content-type": "application/octet-stream" }) }).fetch))).toMatchObject({ status: "ok", contentType: "image/png" });
    for (const t of ["audio/amr", "video/3gpp", "text/vcard", "application/pdf", "image/heic"]) {
      expect((await fetchMedia(MEDIA, t, twilio(scripted({ [MEDIA]: image(undefined, { "content-type": t }) }).fetch))).status, t).toBe("ok");
    }
  });

  it("sorts failures into transient (try again) and final", async () => {
    const answer = (status: number) => twilio(scripted({ [MEDIA]: () => new Response("x", { status }) }).fetch);
    for (const s of [500, 503, 429]) expect((await fetchMedia(MEDIA, "image/png", answer(s))).status, String(s)).toBe("transient");
    for (const s of [401, 403, 404]) expect((await fetchMedia(MEDIA, "image/png", answer(s))).status, String(s)).toBe("failed");
    const down = { ...twilio((async () => Promise.reject(new TypeError("Network connection lost."))) as typeof fetch) };
    expect(await fetchMedia(MEDIA, "image/png", down)).toEqual({ status: "transient", reason: "api.twilio.com could not be reached" });
  });
});

describe("addressKind", () => {
  it("names literal addresses and leaves names alone", () => {
    expect(addressKind("localhost")).toBe("a loopback address");
    expect(addressKind("[::1]")).toBe("a loopback address");
    expect(addressKind("172.20.0.1")).toBe("a private address");
    expect(addressKind("100.64.0.1")).toBe("a private address");
    expect(addressKind("[fd00::1]")).toBe("a private address");
    expect(addressKind("api.twilio.com")).toBeNull();
  });
});
