// The settings UI: sign-in/out, server-rendered pages under /settings, the live parts a channel page re-fetches,
// and its static files under /ui. Pages only read; every change goes through /api from the page scripts.
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { guardFor, minutes, noteFailure, tooManyAttempts } from "../auth/limit";
import { channelStub } from "../channel/client";
import { createDb } from "../db/client";
import type { HealthReport } from "../domain/twilio/health";
import type { WatchView } from "../signals/types";
import { required } from "../lib/config";
import { timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { validate } from "./contract";
import { ASSETS } from "../ui/assets";
import { channelPage, channelsPage, newChannelPage, policiesPage } from "../ui/data";
import { originAllowed, requirePageSession, safeNext, sessionCookieOptions, uiHeaders, type UiEnv } from "../ui/guard";
import { ChannelPage } from "../ui/pages/channel";
import { ChannelsPage } from "../ui/pages/channels";
import { NewChannelPage } from "../ui/pages/new-channel";
import { NotFoundPage } from "../ui/pages/not-found";
import { PoliciesPage } from "../ui/pages/policies";
import { SignInPage } from "../ui/pages/sign-in";
import { render } from "../ui/render";
import { ChannelPart, ModePart } from "../ui/parts/channel";
import { DiagnosticsPart } from "../ui/parts/diagnostics";
import { MessagesPart } from "../ui/parts/messages";
import { WatchesPart } from "../ui/parts/watches";
import { csrfToken, readSession, SESSION_COOKIE, startSession, stopSession } from "../ui/session";

/** The channel's checks for its page (run when the page opens, reusing a result seconds old); null if they could not run. */
async function diagnosticsFor(env: Env, id: string): Promise<HealthReport | null> {
  try {
    const r = await channelStub(env, id).diagnostics(id);
    return r.ok ? r.value : null;
  } catch (err) {
    console.error("channel diagnostics failed", err);
    return null;
  }
}

/** The channel's signal watches for its page, newest first; null if the object could not be asked. */
async function watchesFor(env: Env, id: string): Promise<WatchView[] | null> {
  try {
    return await channelStub(env, id).listWatches(30);
  } catch (err) {
    console.error("listing signal watches failed", err);
    return null;
  }
}

const signInForm = z.object({ token: z.string().max(1000).default(""), next: z.string().max(300).optional() });
const signOutForm = z.object({ csrf: z.string().max(200).default("") });

export const uiRoutes = new Hono<UiEnv>()
  .get("/", (c) => c.redirect("/settings/channels", 302))
  .get("/ui/:file", (c) => {
    const asset = ASSETS.get(c.req.param("file"));
    if (!asset) throw new AppError(404, "not_found", "No such file.");
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
  })
  .use("/sign-in", uiHeaders)
  .use("/sign-out", uiHeaders)
  .use("/settings", uiHeaders, requirePageSession)
  .use("/settings/*", uiHeaders, requirePageSession)
  .get("/sign-in", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await readSession(createDb(c.env.DB), required(c.env, "ADMIN_TOKEN"), getCookie(c, SESSION_COOKIE))) return c.redirect(next, 302);
    return c.html(render(SignInPage, { next }));
  })
  .post("/sign-in", validate("form", signInForm), async (c) => {
    const { token, next } = c.req.valid("form");
    if (!originAllowed(c.req.raw)) throw new AppError(403, "csrf_failed", "Sign in from this site's own sign-in page.");
    const admin = required(c.env, "ADMIN_TOKEN");
    const correct = timingSafeEqual(token.trim(), admin);
    const { key, stub } = guardFor(c.env, c.req.raw);
    const v = correct ? await stub.succeed() : await stub.fail();
    if (v.status === "blocked") {
      tooManyAttempts(c, key, "sign-in", v);
      const wait = minutes(v.retryAfterS);
      const error = `Too many wrong tokens from your network. Wait ${wait} minute${wait === 1 ? "" : "s"}, then try again.`;
      return c.html(render(SignInPage, { next: safeNext(next), error }), 429);
    }
    if (v.status === "counted") {
      noteFailure(key, "sign-in", v);
      return c.html(render(SignInPage, { next: safeNext(next), error: "That is not the admin token. Check ADMIN_TOKEN and try again." }), 401);
    }
    setCookie(c, SESSION_COOKIE, (await startSession(createDb(c.env.DB), admin)).value, sessionCookieOptions(c.req.url));
    return c.redirect(safeNext(next), 303);
  })
  .post("/sign-out", validate("form", signOutForm), async (c) => {
    const admin = required(c.env, "ADMIN_TOKEN");
    const db = createDb(c.env.DB);
    const session = await readSession(db, admin, getCookie(c, SESSION_COOKIE));
    if (session && (!originAllowed(c.req.raw) || !timingSafeEqual(c.req.valid("form").csrf, await csrfToken(admin, session)))) {
      throw new AppError(403, "csrf_failed", "Sign out from this site's own pages.");
    }
    if (session) await stopSession(db, session);
    deleteCookie(c, SESSION_COOKIE, sessionCookieOptions(c.req.url, 0));
    return c.redirect("/sign-in", 303);
  })
  .get("/settings", (c) => c.redirect("/settings/channels", 302))
  .get("/settings/channels", async (c) => c.html(render(ChannelsPage, { csrf: c.var.csrf, ...(await channelsPage(c.env)) })))
  .get("/settings/channels/new", async (c) => c.html(render(NewChannelPage, { csrf: c.var.csrf, ...(await newChannelPage(c.env)) })))
  .get("/settings/channels/:id", async (c) => {
    const data = await channelPage(c.env, c.req.param("id"));
    if (!data) return c.html(render(NotFoundPage, { csrf: c.var.csrf, what: "This channel" }), 404);
    const [diagnostics, watches] = await Promise.all([diagnosticsFor(c.env, data.channel.id), watchesFor(c.env, data.channel.id)]);
    return c.html(render(ChannelPage, { csrf: c.var.csrf, now: Date.now(), ...data, diagnostics, watches }));
  })
  .get("/settings/channels/:id/parts/:part{channel|mode|messages|diagnostics|watches}", async (c) => {
    const data = await channelPage(c.env, c.req.param("id"));
    if (!data) throw new AppError(404, "not_found", "channel not found");
    const part = c.req.param("part");
    if (part === "channel") return c.html(render(ChannelPart, { ch: data.channel, agent: data.agent }));
    if (part === "mode") return c.html(render(ModePart, { ch: data.channel }));
    if (part === "diagnostics") return c.html(render(DiagnosticsPart, { ch: data.channel, report: await diagnosticsFor(c.env, data.channel.id) }));
    if (part === "watches") return c.html(render(WatchesPart, { watches: await watchesFor(c.env, data.channel.id), now: Date.now() }));
    return c.html(render(MessagesPart, { ch: data.channel, messages: data.messages, now: Date.now() }));
  })
  .get("/settings/policies", async (c) => c.html(render(PoliciesPage, { csrf: c.var.csrf, ...(await policiesPage(c.env)) })))
  // Any other address under /settings is a page that does not exist: say so in HTML, not the API's JSON.
  .get("/settings/*", (c) => c.html(render(NotFoundPage, { csrf: c.var.csrf, what: "This page" }), 404));
