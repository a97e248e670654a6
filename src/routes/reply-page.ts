// GET /r/:token: the whole text of a reply that was cut to fit one SMS. Public (the token is the credential, see
// src/lib/reply-link.ts); a token that cannot name one of our channels is refused before any object is reached.
import { Hono } from "hono";
import { z } from "zod";
import { channelStub, isChannelId } from "../channel/client";
import { parseReplyToken } from "../lib/reply-link";
import { render } from "../ui/render";
import { ReplyGonePage, ReplyPage } from "../ui/pages/reply";
import { notFound } from "../lib/errors";
import { route } from "./contract";
import { ErrorBody } from "./schemas/common";

const HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "private, no-store",
  "x-robots-tag": "noindex",
};

const html = (description: string) => ({ description, type: "text/html", schema: z.string(), example: "<!DOCTYPE html><html lang=\"en\">…</html>" });

export const replyPageRoutes = new Hono<{ Bindings: Env }>().get(
  "/:token",
  route({
    operationId: "getFullReply",
    tag: "replies",
    summary: "The whole text of a reply that was cut to fit one SMS (its 'Full reply:' link), as a plain page.",
    description: "The token names the channel and an unguessable key; the page expires with RETENTION_DAYS.",
    auth: "none",
    params: z.object({ token: z.string().describe("<channel id without ch_>.<24-character key>") }),
    responses: {
      200: html("The reply, as a page that reads well on a phone."),
      404: {
        description: "No such reply, or it has expired: a page that says so for a browser (Accept: text/html), the error body otherwise.",
        schema: ErrorBody,
        example: { error: { code: "not_found", message: "reply not found (or expired)" } },
        alternatives: { "text/html": { schema: z.string() } },
      },
    },
    errors: [],
  }),
  async (c) => {
    const parsed = parseReplyToken(c.req.valid("param").token);
    const page = parsed && (await isChannelId(c.env, parsed.channelId)) ? await channelStub(c.env, parsed.channelId).replyPage(parsed.channelId, parsed.key) : null;
    if (!page) {
      // A person following the link gets a page; any other client the API's error body.
      if (c.req.header("accept")?.includes("text/html")) return c.html(render(ReplyGonePage, {}), 404, HEADERS);
      throw notFound("reply (or it has expired)");
    }
    return c.html(render(ReplyPage, { text: page.text, sentAt: page.created_at }), 200, HEADERS);
  },
);
