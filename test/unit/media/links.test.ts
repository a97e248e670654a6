// Signed media links (what Twilio fetches an MMS's media by) and the owner's URL prefixes for attach_media.
import { describe, expect, it } from "vitest";
import { parseAllowedUrls, refuseAttachUrl } from "../../../src/domain/media";
import { MEDIA_LINK_TTL_MS, mediaLink, verifyMediaToken } from "../../../src/lib/media-link";

const SECRET = "test-secret";
const T = Date.UTC(2030, 0, 1);

describe("media links", () => {
  it("name their media until they expire, and nothing once altered or made with another secret", async () => {
    const url = await mediaLink(SECRET, "https://tg.example", "med_abc", T);
    const token = url.split("/m/")[1]!;
    expect(url).toMatch(/^https:\/\/tg\.example\/m\/med_abc\.[0-9a-z]+\.[0-9a-z]{24}$/);
    expect(await verifyMediaToken(SECRET, token, T)).toBe("med_abc");
    expect(await verifyMediaToken(SECRET, token, T + MEDIA_LINK_TTL_MS - 1000)).toBe("med_abc");
    expect(await verifyMediaToken(SECRET, token, T + MEDIA_LINK_TTL_MS)).toBeNull();
    expect(await verifyMediaToken("other-secret", token, T)).toBeNull();
    const [id, exp, mac] = token.split(".");
    for (const forged of [`med_abd.${exp}.${mac}`, `${id}.${(parseInt(exp!, 36) + 1000).toString(36)}.${mac}`, `${id}.${exp}.${mac!.slice(0, -1)}x`, `${id}.${exp}`, token + "0"]) {
      expect(await verifyMediaToken(SECRET, forged, T), forged).toBeNull();
    }
  });
});

describe("MEDIA_ALLOWED_URLS", () => {
  it("keeps https prefixes (http only on localhost) and reports the rest", () => {
    expect(parseAllowedUrls(" https://a.example/img/, http://127.0.0.1:8788/__cdn/ http://b.example/x not-a-url https://u:p@c.example/ https://d.example/?q=1")).toEqual({
      prefixes: [
        { origin: "https://a.example", path: "/img/" },
        { origin: "http://127.0.0.1:8788", path: "/__cdn/" },
      ],
      invalid: ["http://b.example/x", "not-a-url", "https://u:p@c.example/", "https://d.example/?q=1"],
    });
    expect(parseAllowedUrls(undefined)).toEqual({ prefixes: [], invalid: [] });
  });

  it("matches by origin and path, never as a string", () => {
    const { prefixes } = parseAllowedUrls("https://a.example/img/");
    expect(refuseAttachUrl(new URL("https://a.example/img/cat.png"), prefixes)).toBeNull();
    expect(refuseAttachUrl(new URL("https://a.example/imgs/cat.png"), prefixes)).toContain("is not under MEDIA_ALLOWED_URLS");
    expect(refuseAttachUrl(new URL("https://a.example.evil.org/img/cat.png"), prefixes)).toContain("is not under MEDIA_ALLOWED_URLS");
    expect(refuseAttachUrl(new URL("http://a.example/img/cat.png"), prefixes)).toContain("is not under MEDIA_ALLOWED_URLS");
    expect(refuseAttachUrl(new URL("http://169.254.169.254/img/"), prefixes)).toBe("169.254.169.254 is a link-local address");
    expect(refuseAttachUrl(new URL("https://u:p@a.example/img/x.png"), prefixes)).toBe("https://a.example carries credentials in the URL");
  });

  it("takes a prefix without a trailing slash as a folder: not a longer name, not an encoded way out of it", () => {
    const { prefixes } = parseAllowedUrls("https://a.example/images");
    expect(refuseAttachUrl(new URL("https://a.example/images"), prefixes)).toBeNull();
    expect(refuseAttachUrl(new URL("https://a.example/images/cat.png"), prefixes)).toBeNull();
    for (const outside of ["https://a.example/images.evil.com/x.png", "https://a.example/images-private/x.png", "https://a.example/imagesx", "https://a.example/images/..%2fadmin/x.png", "https://a.example/images/%2E%2E%5Cadmin/x.png"]) {
      expect(refuseAttachUrl(new URL(outside), prefixes), outside).toContain("is not under MEDIA_ALLOWED_URLS");
    }
  });
});
