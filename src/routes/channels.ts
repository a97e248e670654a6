// Channels API: thin over the channel Durable Object, which owns every write; list and read go straight to D1.
import { Hono } from "hono";
import { z } from "zod";
import { channelStub, isChannelId } from "../channel/client";
import { toChannelView } from "../channel/view";
import { getChannel, listAllPaired, listChannels, listMessages, listPaired } from "../db/channels";
import { createDb } from "../db/client";
import { messageView } from "../db/messages";
import { listTurns } from "../db/turns";
import { externalUrl } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { unwrap } from "../lib/result";
import { validate } from "../lib/validate";
import { accountSid, authToken, createChannel, CreateChannel, dispatchMode, fromNumber, messagingServiceSid, requireAgentInSpace } from "./channel-create";

const patchChannel = z
  .object({
    agent_id: z.string().min(1).optional(),
    dispatch_mode: dispatchMode.optional(),
    config: z
      .object({ account_sid: accountSid.optional(), auth_token: authToken.optional(), from_number: fromNumber.optional(), messaging_service_sid: messagingServiceSid.optional() })
      .strict()
      .optional(),
  })
  .strict();

export const channelRoutes = new Hono<{ Bindings: Env }>()
  // Admin-only, but still: an id that cannot be a channel of ours must not create an object (and its storage).
  .use("/:id/*", async (c, next) => {
    if (!(await isChannelId(c.env, c.req.param("id")))) throw notFound("channel");
    await next();
  })
  .post("/", validate("json", CreateChannel), async (c) => c.json(await createChannel(c.env, createDb(c.env.DB), c.req.valid("json")), 201))
  .get("/", async (c) => {
    const db = createDb(c.env.DB);
    const [rows, paired] = await Promise.all([listChannels(db), listAllPaired(db)]);
    const ext = externalUrl(c.env);
    return c.json(rows.map((r) => toChannelView(r, paired.filter((p) => p.channelId === r.id), ext.ok ? ext.url : null)));
  })
  .get("/:id", async (c) => {
    const db = createDb(c.env.DB);
    const row = await getChannel(db, c.req.param("id"));
    if (!row) throw notFound("channel");
    const ext = externalUrl(c.env);
    return c.json(toChannelView(row, await listPaired(db, row.id), ext.ok ? ext.url : null));
  })
  .patch("/:id", validate("json", patchChannel), async (c) => {
    const body = c.req.valid("json");
    const id = c.req.param("id");
    const db = createDb(c.env.DB);
    const row = await getChannel(db, id);
    if (!row) throw notFound("channel");
    if (body.agent_id) await requireAgentInSpace(db, row.spaceId, body.agent_id);
    const result = await channelStub(c.env, id).update(id, {
      agentId: body.agent_id,
      dispatchMode: body.dispatch_mode,
      accountSid: body.config?.account_sid,
      authToken: body.config?.auth_token,
      fromNumber: body.config?.from_number,
      messagingServiceSid: body.config?.messaging_service_sid,
    });
    return c.json(unwrap(result));
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    return c.json({ id, deleted: true, ...unwrap(await channelStub(c.env, id).remove(id)) });
  })
  .get("/:id/events", async (c) => {
    // Live channel and message events for the settings UI, pushed by the channel object over a WebSocket.
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError(426, "upgrade_required", "Connect with a WebSocket.");
    const id = c.req.param("id");
    if (!(await getChannel(createDb(c.env.DB), id))) throw notFound("channel");
    return channelStub(c.env, id).fetch(c.req.raw);
  })
  .post("/:id/connect", async (c) => {
    const id = c.req.param("id");
    return c.json(unwrap(await channelStub(c.env, id).connectTwilio(id)));
  })
  .get("/:id/diagnostics", async (c) => {
    const id = c.req.param("id");
    return c.json(unwrap(await channelStub(c.env, id).diagnostics(id)));
  })
  .post("/:id/disconnect", async (c) => {
    const id = c.req.param("id");
    return c.json(unwrap(await channelStub(c.env, id).disconnect(id)));
  })
  .post("/:id/pairing", async (c) => {
    const id = c.req.param("id");
    return c.json(unwrap(await channelStub(c.env, id).newPairing(id)), 201);
  })
  .delete("/:id/paired-addresses/:address", async (c) => {
    const id = c.req.param("id");
    return c.json(unwrap(await channelStub(c.env, id).unpair(id, c.req.param("address").trim())));
  })
  .get("/:id/messages", validate("query", z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) })), async (c) => {
    const db = createDb(c.env.DB);
    const id = c.req.param("id");
    if (!(await getChannel(db, id))) throw notFound("channel");
    return c.json((await listMessages(db, id, c.req.valid("query").limit)).map(messageView));
  })
  .get("/:id/turns", validate("query", z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) })), async (c) => {
    const db = createDb(c.env.DB);
    const id = c.req.param("id");
    if (!(await getChannel(db, id))) throw notFound("channel");
    return c.json(
      (await listTurns(db, id, c.req.valid("query").limit)).map((t) => ({
        id: t.id,
        sender: t.sender,
        status: t.status,
        attempts: t.attempts,
        error: t.error,
        inbound_message_id: t.inboundMessageId,
        reply_message_id: t.replyMessageId,
        steps: t.steps,
        tool_calls: t.toolCalls ? (JSON.parse(t.toolCalls) as string[]) : [],
        created_at: new Date(t.createdAt).toISOString(),
        completed_at: t.completedAt ? new Date(t.completedAt).toISOString() : null,
      })),
    );
  });
