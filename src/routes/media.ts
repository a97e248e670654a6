// GET /api/media/:id: the bytes of one stored media item, for the admin (token or UI session), for agent keys of the
// item's channel's agent, and for those of the agents whose watches took or recorded (continuous) the message as a
// signal (any agent may wait on a signal-mode channel). Another agent's key gets the same 404 as a made-up id.
// GET /m/:token: the same bytes by a signed, expiring link (src/lib/media-link.ts), for Twilio fetching an MMS.
// Served from R2 with headers that stop a browser from running anything in it (nosniff, a sandboxing CSP).
import { Hono } from "hono";
import { z } from "zod";
import { channelStub } from "../channel/client";
import { hubStub } from "../channel/signal-router";
import { createDb } from "../db/client";
import { mediaKey, mediaWithAgent } from "../db/media";
import { anyWatchOf } from "../db/watches";
import { isImage } from "../domain/media";
import { required } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { verifyMediaToken } from "../lib/media-link";
import { route, type Reply } from "./contract";
import { MediaParams } from "./schemas/media";

const tag = "media";
const bytes = z.string().meta({ format: "binary" });
/** The item's own content type: one of the kinds textgate keeps (src/domain/media/types.ts). */
const stored: Reply = {
  description: "The item's bytes, as its own content type (pictures, audio, video, contact cards, PDF).",
  type: "image/*",
  schema: bytes,
  example: "<the bytes>",
  alternatives: { "audio/*": { schema: bytes }, "video/*": { schema: bytes }, "text/vcard": { schema: bytes }, "application/pdf": { schema: bytes } },
};

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

export const mediaRoutes = new Hono<{ Bindings: Env }>().get(
  "/:id",
  route({
    operationId: "getMedia",
    tag,
    summary: "A stored media item's bytes (an MMS picture or file).",
    description:
      "An agent key works for media of its agent's channels and of signals its watches took or recorded; another agent's gets 404, like an unknown id. " +
      "409 media_not_stored (details: status, reason) while it is being downloaded, or when it was refused. Served with nosniff and a sandboxing CSP.",
    auth: "admin_or_agent",
    params: MediaParams,
    responses: { 200: stored },
    errors: [404, 409],
  }),
  async (c) => {
    const principal = c.get("principal");
    const m = await mediaWithAgent(createDb(c.env.DB), c.req.valid("param").id);
    if (!m || (principal?.kind === "agent" && !(await agentMayHave(c.env, principal.agentId, m)))) throw notFound("media");
    if (m.status !== "stored") {
      const why = m.status === "pending" ? "is still being downloaded; try again shortly" : `was not stored (${m.status}${m.reason ? `: ${m.reason}` : ""})`;
      throw new AppError(409, "media_not_stored", `This media ${why}.`, { status: m.status, reason: m.reason });
    }
    const object = await c.env.MEDIA.get(mediaKey(m.channelId, m.id));
    if (!object) throw notFound("media");
    return new Response(object.body, { headers: mediaHeaders(m.contentType, object.size, "private, max-age=3600") });
  },
);

/** An agent's key reaches its channel's media, and the media of a signal its watch took or recorded (on any channel). */
async function agentMayHave(env: Env, agentId: string, m: { agentId: string | null; channelId: string; messageId: string | null; direction: string }): Promise<boolean> {
  if (agentId === m.agentId) return true;
  if (m.direction !== "inbound" || !m.messageId) return false;
  const messageId = m.messageId;
  // The channel's object knows the once-watch that took it and its own continuous watches; the hub, its own.
  const [here, hub] = await Promise.all([channelStub(env, m.channelId).signalWatchers(m.channelId, messageId), hubStub(env).signalWatchers(null, messageId)]);
  return anyWatchOf(env.DB, [...here, ...hub], agentId);
}

/** Public: the token is the credential. Anything wrong with it, or an item no longer stored, is the same 404. */
export const signedMediaRoutes = new Hono<{ Bindings: Env }>().get(
  "/:token",
  route({
    operationId: "getSignedMedia",
    tag,
    summary: "An MMS reply's media by its signed, expiring link: what Twilio fetches for MediaUrl.",
    description: "The token (<media id>.<expiry>.<HMAC>) is the credential; a wrong, altered or expired one is 404, as is an item no longer kept.",
    auth: "none",
    params: z.object({ token: z.string().describe("<media id>.<expiry, base 36 seconds>.<24-character HMAC>") }),
    responses: { 200: stored },
    errors: [404],
  }),
  async (c) => {
    const id = await verifyMediaToken(required(c.env, "ENCRYPTION_KEY"), c.req.valid("param").token, Date.now());
    const m = id ? await mediaWithAgent(createDb(c.env.DB), id) : undefined;
    const object = m?.status === "stored" ? await c.env.MEDIA.get(mediaKey(m.channelId, m.id)) : null;
    if (!m || !object) throw notFound("media");
    return new Response(object.body, { headers: mediaHeaders(m.contentType, object.size, "no-store") });
  },
);
