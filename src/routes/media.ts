// GET /api/media/:id: the bytes of one stored media item, for the admin (token or UI session) and for agent keys of
// the item's channel's agent. Another agent's key gets the same 404 as a made-up id, so ids reveal nothing.
// GET /m/:token: the same bytes by a signed, expiring link (src/lib/media-link.ts), for Twilio fetching an MMS.
// Served from R2 with headers that stop a browser from running anything in it (nosniff, a sandboxing CSP).
import { Hono } from "hono";
import { createDb } from "../db/client";
import { mediaKey, mediaWithAgent } from "../db/media";
import { isImage } from "../domain/media";
import { required } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { verifyMediaToken } from "../lib/media-link";

/** Response headers for stored media: its type, no sniffing, no script, no framing; pictures inline, files saved. */
export function mediaHeaders(contentType: string, size: number, cache: string): Record<string, string> {
  const inline = isImage(contentType) || /^(audio|video)\//.test(contentType) || contentType === "application/pdf";
  return {
    "content-type": contentType,
    "content-length": String(size),
    "cache-control": cache,
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    "content-disposition": inline ? "inline" : "attachment",
  };
}

export const mediaRoutes = new Hono<{ Bindings: Env }>().get("/:id", async (c) => {
  const principal = c.get("principal");
  const m = await mediaWithAgent(createDb(c.env.DB), c.req.param("id"));
  if (!m || (principal?.kind === "agent" && principal.agentId !== m.agentId)) throw notFound("media");
  if (m.status !== "stored") {
    const why = m.status === "pending" ? "is still being downloaded; try again shortly" : `was not stored (${m.status}${m.reason ? `: ${m.reason}` : ""})`;
    throw new AppError(409, "media_not_stored", `This media ${why}.`, { status: m.status, reason: m.reason });
  }
  const object = await c.env.MEDIA.get(mediaKey(m.channelId, m.id));
  if (!object) throw notFound("media");
  return new Response(object.body, { headers: mediaHeaders(m.contentType, object.size, "private, max-age=3600") });
});

/** Public: the token is the credential. Anything wrong with it, or an item no longer stored, is the same 404. */
export const signedMediaRoutes = new Hono<{ Bindings: Env }>().get("/:token", async (c) => {
  const id = await verifyMediaToken(required(c.env, "ENCRYPTION_KEY"), c.req.param("token"), Date.now());
  const m = id ? await mediaWithAgent(createDb(c.env.DB), id) : undefined;
  const object = m?.status === "stored" ? await c.env.MEDIA.get(mediaKey(m.channelId, m.id)) : null;
  if (!m || !object) throw notFound("media");
  return new Response(object.body, { headers: mediaHeaders(m.contentType, object.size, "no-store") });
});
