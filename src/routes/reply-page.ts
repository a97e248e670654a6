// GET /r/:token: the whole text of a reply that was cut to fit one SMS. Public (the token is the credential, see
// src/lib/reply-link.ts); a token that cannot name one of our channels is refused before any object is reached.
import { Hono } from "hono";
import { channelStub, isChannelId } from "../channel/client";
import { parseReplyToken } from "../lib/reply-link";
import { render } from "../ui/render";
import { ReplyGonePage, ReplyPage } from "../ui/pages/reply";

const HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "private, no-store",
  "x-robots-tag": "noindex",
};

export const replyPageRoutes = new Hono<{ Bindings: Env }>().get("/:token", async (c) => {
  const parsed = parseReplyToken(c.req.param("token"));
  const page = parsed && (await isChannelId(c.env, parsed.channelId)) ? await channelStub(c.env, parsed.channelId).replyPage(parsed.channelId, parsed.key) : null;
  if (!page) return c.html(render(ReplyGonePage, {}), 404, HEADERS);
  return c.html(render(ReplyPage, { text: page.text, sentAt: page.created_at }), 200, HEADERS);
});
