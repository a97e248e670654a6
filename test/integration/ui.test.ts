// The settings UI in workerd: sign-in and its cookie, the session cookie on /api with its CSRF rules, and the
// pages a channel shows in each status.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { app } from "../../src/app";
import { newSession } from "../../src/ui/session";
import { api, BASE, json } from "../helpers/api";
import { fakeState, mms, pair, PNG_B64, seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";
import { form, get, signIn, withCookie } from "../helpers/session";

freshStorageEachTest();

describe("signing in", () => {
  it("sends a browser without a session to the sign-in page, and script requests get 401", async () => {
    const page = await get("/settings/channels");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/sign-in?next=%2Fsettings%2Fchannels");
    expect((await get("/settings/channels/ch_x/parts/channel")).status).toBe(401);
    expect((await get("/api/spaces", { cookie: "textgate_session=nope" })).status).toBe(401);
    const signInPage = await get("/sign-in?next=/settings/policies");
    expect(signInPage.status).toBe(200);
    expect(signInPage.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await signInPage.text();
    expect(html).toContain('name="token"');
    expect(html).toContain('value="/settings/policies"');
  });

  it("refuses a wrong token without setting a cookie", async () => {
    const res = await form("/sign-in", { token: "wrong" }, { origin: BASE });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("That is not the admin token");
  });

  it("sets an HttpOnly, Secure, SameSite=Strict 12-hour cookie and redirects only to settings paths", async () => {
    const res = await form("/sign-in", { token: env.ADMIN_TOKEN, next: "/settings/policies" }, { origin: BASE });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/settings/policies");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^textgate_session=\d+\.[\w-]+\.[\w-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).toContain("Max-Age=43200");
    expect(cookie).not.toContain(env.ADMIN_TOKEN);

    const evil = await form("/sign-in", { token: env.ADMIN_TOKEN, next: "//evil.example/x" }, { origin: BASE });
    expect(evil.headers.get("location")).toBe("/settings/channels");
    const plain = await form("/sign-in", { token: env.ADMIN_TOKEN }, { origin: "http://localhost:8787" }, "http://localhost:8787");
    expect(plain.headers.get("set-cookie")).not.toContain("Secure");
    const foreign = await form("/sign-in", { token: env.ADMIN_TOKEN }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
  });

  it("does not accept a forged, altered or expired cookie", async () => {
    const { cookie } = await signIn();
    const [exp, nonce, mac] = cookie.split("=")[1]!.split(".");
    const tries = [
      `${Number(exp) + 3600}.${nonce}.${mac}`,
      `${exp}.${nonce}.${mac!.slice(0, -2)}AA`,
      (await newSession("some-other-admin-token")).value,
      (await newSession(env.ADMIN_TOKEN, Date.now() - 13 * 3600_000)).value,
      // Signed with the right key but never recorded by a sign-in.
      (await newSession(env.ADMIN_TOKEN)).value,
    ];
    for (const value of tries) {
      expect((await get("/api/spaces", { cookie: `textgate_session=${value}` })).status).toBe(401);
      expect((await get("/settings/channels", { cookie: `textgate_session=${value}` })).status).toBe(302);
    }
    expect((await get("/api/spaces", { cookie })).status).toBe(200);
  });

  it("signs out with the CSRF token and clears the cookie", async () => {
    const s = await signIn();
    expect((await form("/sign-out", { csrf: "wrong" }, { cookie: s.cookie, origin: BASE })).status).toBe(403);
    const out = await form("/sign-out", { csrf: s.csrf }, { cookie: s.cookie, origin: BASE });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/sign-in");
    expect(out.headers.get("set-cookie")).toMatch(/textgate_session=;.*Max-Age=0/);
  });

  it("ends the session on the server: a copy of the cookie kept from before sign-out no longer works", async () => {
    const s = await signIn();
    const other = await signIn();
    expect((await get("/settings/channels", { cookie: s.cookie })).status).toBe(200);
    expect((await form("/sign-out", { csrf: s.csrf }, { cookie: s.cookie, origin: BASE })).status).toBe(303);
    const page = await get("/settings/channels", { cookie: s.cookie });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/sign-in?next=%2Fsettings%2Fchannels");
    expect((await get("/settings/channels/ch_x/parts/channel", { cookie: s.cookie })).status).toBe(401);
    const apiRes = await get("/api/spaces", { cookie: s.cookie });
    expect(apiRes.status).toBe(401);
    expect(await apiRes.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect((await withCookie(s, "POST", "/api/spaces", { name: "Home" }, { origin: BASE, "x-csrf-token": s.csrf })).status).toBe(401);
    // The sign-in page no longer takes the copy for a session; another browser's session is untouched.
    expect((await get("/sign-in", { cookie: s.cookie })).status).toBe(200);
    expect((await get("/api/spaces", { cookie: other.cookie })).status).toBe(200);
  });

  it("forgets expired sessions when someone signs in", async () => {
    await signIn();
    await env.DB.prepare("UPDATE ui_sessions SET expires_at = ?").bind(Date.now() - 1).run();
    await signIn();
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM ui_sessions").first<{ n: number }>())!;
    expect(n).toBe(1);
  });
});

describe("the session cookie on /api", () => {
  it("allows reads, and writes only from our origin with the session's X-CSRF-Token", async () => {
    const s = await signIn();
    const other = await signIn();
    expect(other.csrf).not.toBe(s.csrf);
    const good = { origin: BASE, "x-csrf-token": s.csrf };
    const refused: Record<string, string>[] = [
      {},
      { origin: BASE },
      { "x-csrf-token": s.csrf },
      { origin: "https://evil.example", "x-csrf-token": s.csrf },
      { origin: "null", "x-csrf-token": s.csrf },
      { origin: BASE, "x-csrf-token": other.csrf },
    ];
    for (const headers of refused) {
      const res = await withCookie(s, "POST", "/api/spaces", { name: "Home" }, headers);
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe("csrf_failed");
    }
    // The query-parameter form is for WebSocket upgrades only.
    expect((await withCookie(s, "POST", `/api/spaces?csrf=${encodeURIComponent(s.csrf)}`, { name: "Home" }, { origin: BASE })).status).toBe(403);
    expect((await withCookie(s, "POST", "/api/spaces", { name: "Home" }, good)).status).toBe(201);
    expect((await withCookie(s, "GET", "/api/spaces")).status).toBe(200);
    // Bearer clients are unchanged: no Origin, no CSRF token.
    expect((await api("POST", "/api/spaces", { name: "Work" })).status).toBe(201);
  });

  it("guards PATCH and DELETE, and the channel WebSocket by Origin and the csrf query parameter", async () => {
    const { channel } = await seedChannel();
    const s = await signIn();
    expect((await withCookie(s, "PATCH", `/api/channels/${channel.id}`, { dispatch_mode: "signal" }, { origin: BASE })).status).toBe(403);
    expect((await withCookie(s, "DELETE", `/api/channels/${channel.id}`, undefined, { origin: "https://evil.example", "x-csrf-token": s.csrf })).status).toBe(403);
    const patched = await withCookie(s, "PATCH", `/api/channels/${channel.id}`, { dispatch_mode: "signal" }, { origin: BASE, "x-csrf-token": s.csrf });
    expect((await json(patched)).dispatch_mode).toBe("signal");

    const ws = (query: string, headers: Record<string, string>) => get(`/api/channels/${channel.id}/events${query}`, { upgrade: "websocket", cookie: s.cookie, ...headers });
    expect((await ws(`?csrf=${encodeURIComponent(s.csrf)}`, { origin: "https://evil.example" })).status).toBe(403);
    expect((await ws("", { origin: BASE })).status).toBe(403);
    const open = await ws(`?csrf=${encodeURIComponent(s.csrf)}`, { origin: BASE });
    expect(open.status).toBe(101);
    open.webSocket!.accept();
    open.webSocket!.close();
  });
});

describe("pages", () => {
  it("lists channels with their status badge", async () => {
    const { channel } = await seedChannel();
    const s = await signIn();
    const html = await (await get("/settings/channels", { cookie: s.cookie })).text();
    expect(html).toContain(`href="/settings/channels/${channel.id}"`);
    expect(html).toMatch(/class="badge wait"[^>]*>Pairing</);
    expect(html).toContain('href="/settings/policies"');
  });

  it("prefills Add channel from VOICE_TWILIO_* and never shows the default auth token", async () => {
    const s = await signIn();
    const defaults = { ...env, VOICE_TWILIO_ACCOUNT_SID: "AC" + "1".repeat(32), VOICE_TWILIO_FROM_NUMBER: "+15005550006", VOICE_TWILIO_AUTH_TOKEN: "default-secret-token" };
    const res = await app.fetch(new Request(`${BASE}/settings/channels/new`, { headers: { cookie: s.cookie } }), defaults);
    const html = await res.text();
    expect(html).toContain(`value="AC${"1".repeat(32)}"`);
    expect(html).toContain('value="+15005550006"');
    expect(html).toContain('placeholder="using the configured default"');
    expect(html).not.toContain("default-secret-token");
    expect(html).toContain("You have no spaces or agents yet");
    expect(html).toContain('data-error-for="config.account_sid"');
  });

  it("shows a signal-mode channel's consequence and its signal watches section", async () => {
    const { channel } = await seedChannel({ dispatch_mode: "signal" });
    const s = await signIn();
    const html = await (await get(`/settings/channels/${channel.id}/parts/mode`, { cookie: s.cookie })).text();
    expect(html).toMatch(/<input type="radio" name="dispatch_mode" value="signal" checked/);
    expect(html).toMatch(/data-show-when="dispatch_mode=signal">In signal mode the agent stops replying to this number/);
    expect((await get("/sign-in", { cookie: s.cookie })).headers.get("location")).toBe("/settings/channels");
  });

  it("shows the pairing code, then Connected with the paired phone", async () => {
    const { channel, account } = await seedChannel();
    const s = await signIn();
    const pairing = await (await get(`/settings/channels/${channel.id}`, { cookie: s.cookie })).text();
    expect(pairing).toContain(`Text <strong>${channel.pairing.code}</strong> to <strong>+15550001111</strong>`);
    expect(pairing).toContain('data-testid="pairing-code"');
    expect(pairing).toContain("In signal mode the agent stops replying to this number");

    await pair(channel, account.token, "+15557770001");
    const part = await (await get(`/settings/channels/${channel.id}/parts/channel`, { cookie: s.cookie })).text();
    expect(part).toMatch(/^<section data-part="channel"/);
    expect(part).toMatch(/class="badge ok"[^>]*>Connected</);
    expect(part).toContain("+15557770001");
    expect(part).toContain(`data-action="DELETE /api/channels/${channel.id}/paired-addresses/%2B15557770001"`);
    expect(part).toContain("Pair another phone");
  });

  it("explains a failure with its troubleshooting hint and a Retry button", async () => {
    const { channel } = await seedChannel({ numbers: [{ phone_number: "+15550001111", sms: false }] });
    expect(channel.status).toBe("failed");
    const s = await signIn();
    const html = await (await get(`/settings/channels/${channel.id}`, { cookie: s.cookie })).text();
    expect(html).toMatch(/class="badge bad"[^>]*>Failed</);
    expect(html).toContain("Pick an SMS-capable number");
    expect(html).toContain(`data-action="POST /api/channels/${channel.id}/connect"`);
    expect(html).toContain(">Retry<");
  });

  it("renders disconnected and registering channels", async () => {
    const { channel } = await seedChannel();
    const s = await signIn();
    await api("POST", `/api/channels/${channel.id}/disconnect`);
    const off = await (await get(`/settings/channels/${channel.id}/parts/channel`, { cookie: s.cookie })).text();
    expect(off).toMatch(/class="badge off"[^>]*>Disconnected</);
    expect(off).toContain(">Connect<");
    await env.DB.prepare("UPDATE channels SET status = 'registering' WHERE id = ?").bind(channel.id).run();
    const busy = await (await get(`/settings/channels/${channel.id}`, { cookie: s.cookie })).text();
    expect(busy).toContain("Registering +15550001111 with Twilio");
  });

  it("lists messages newest first, with drop reasons in words and a warning when status callbacks stop", async () => {
    const { channel, account } = await seedChannel();
    await sms(channel, account.token, "+15559990000", "hi there");
    const s = await signIn();
    const old = Date.now() - 5 * 60_000;
    await env.DB.prepare(
      "INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, created_at, updated_at) VALUES (?, ?, 'outbound', ?, ?, 'stuck reply', 'queued', ?, ?)",
    )
      .bind("msg_stuck", channel.id, "+15550001111", "+15557770001", old, old)
      .run();
    const html = await (await get(`/settings/channels/${channel.id}/parts/messages`, { cookie: s.cookie })).text();
    expect(html).toContain("Ignored: this phone is not paired with the channel.");
    expect(html.indexOf("hi there")).toBeLessThan(html.indexOf("stuck reply"));
    expect(html).toContain("status callbacks are not arriving");
    expect(html).toContain(`SERVER_EXTERNAL_URL (https://textgate.example/webhooks/twilio/sms/${channel.id}/status)`);
    expect((await fakeState(account.sid)).messages).toEqual([]);
  });

  it("shows a message's pictures as thumbnails through the media route, and what became of the other items", async () => {
    const { channel, account } = await seedChannel();
    await mms(channel, account.token, "+15559990001", "a picture", [
      { content_type: "image/png", data_b64: PNG_B64 },
      { content_type: "text/html", size: 10 },
    ]);
    const s = await signIn();
    const html = await vi.waitFor(
      async () => {
        const page = await (await get(`/settings/channels/${channel.id}/parts/messages`, { cookie: s.cookie })).text();
        if (!page.includes("<img")) throw new Error("no thumbnail yet");
        return page;
      },
      { timeout: 10_000, interval: 50 },
    );
    const src = /<img[^>]* src="(\/api\/media\/med_\w+)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    expect(html).toMatch(/<img[^>]* alt="Picture \(image\/png, 70 bytes\)"/);
    expect(html).toContain("Not kept: text/html is not a media type textgate keeps");
    // The thumbnail loads with the same session cookie the page was loaded with.
    const img = await get(src!, { cookie: s.cookie });
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/png");
  });

  it("answers an unknown channel with an HTML 404 and serves the policies page and static files", async () => {
    const s = await signIn();
    const missing = await get("/settings/channels/ch_missing", { cookie: s.cookie });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/html");
    const policies = await (await get("/settings/policies", { cookie: s.cookie })).text();
    expect(policies).toContain('src="/ui/policies.js"');
    const js = await get("/ui/core.js");
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(await js.text()).toContain("x-csrf-token");
    expect((await get("/ui/nope.js")).status).toBe(404);
  });

  it("answers names every object has (__proto__, constructor, …) as unknown files: 404, not 500", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"]) {
      const res = await get(`/ui/${name}`);
      expect(res.status, name).toBe(404);
      expect(await res.json(), name).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
