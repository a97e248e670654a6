// Channels API: thin over the channel Durable Object, which owns every write; list and read go straight to D1.
import { Hono } from "hono";
import { z } from "zod";
import { channelStub, isChannelId } from "../channel/client";
import { toChannelView } from "../channel/view";
import { getChannel, listAllPaired, listChannels, listMessages, listPaired } from "../db/channels";
import { createDb, type Db } from "../db/client";
import { messageViews } from "../db/messages";
import { listTurns } from "../db/turns";
import { externalUrl } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { unwrap } from "../lib/result";
import { createChannel, requireAgentInSpace } from "./channel-create";
import { route } from "./contract";
import { LimitQuery, WebSocketHeaders } from "./schemas/common";
import {
  Channel,
  ChannelDeleted,
  ChannelDisconnected,
  ChannelEvent,
  channelExamples as ex,
  ChannelParams,
  CreateChannel,
  Diagnostics,
  Message,
  PairedAddressParams,
  Pairing,
  PatchChannel,
  Turn,
} from "./schemas/channels";

/** The channel's row in D1, or 404. */
async function channelRow(db: Db, id: string) {
  const row = await getChannel(db, id);
  if (!row) throw notFound("channel");
  return row;
}

const tag = "channels";
const auth = "admin";
const params = ChannelParams;
const one = (description: string) => ({ 200: { description, schema: Channel, example: ex.channel } });

export const channelRoutes = new Hono<{ Bindings: Env }>()
  // Admin-only, but still: an id that cannot be a channel of ours must not create an object (and its storage).
  .use("/:id/*", async (c, next) => {
    if (!(await isChannelId(c.env, c.req.param("id")))) throw notFound("channel");
    await next();
  })
  .post(
    "/",
    route({
      operationId: "createChannel",
      tag,
      summary: "Create a Twilio SMS channel (with a new space and agent if asked) and register its number's webhook.",
      description:
        "A registration failure shows in the channel's status and error (201 all the same). 409 number_in_use when another channel has the account + number (details.channel names it).",
      auth,
      body: CreateChannel,
      example: ex.create,
      responses: { 201: { description: "Created.", schema: Channel, example: { ...ex.channel, status: "pairing", paired_addresses: [], pairing: ex.pairing } } },
      errors: [400, 409, 415],
    }),
    async (c) => c.json((await createChannel(c.env, createDb(c.env.DB), c.req.valid("json"))) satisfies z.input<typeof Channel>, 201),
  )
  .get("/", route({ operationId: "listChannels", tag, summary: "List channels.", auth, responses: { 200: { description: "Channels.", schema: z.array(Channel), example: [ex.channel] } }, errors: [] }), async (c) => {
    const db = createDb(c.env.DB);
    const [rows, paired] = await Promise.all([listChannels(db), listAllPaired(db)]);
    const ext = externalUrl(c.env);
    return c.json(rows.map((r) => toChannelView(r, paired.filter((p) => p.channelId === r.id), ext.ok ? ext.url : null)) satisfies z.input<typeof Channel>[]);
  })
  .get("/:id", route({ operationId: "getChannel", tag, summary: "Get a channel.", auth, params, responses: one("The channel."), errors: [404] }), async (c) => {
    const db = createDb(c.env.DB);
    const row = await channelRow(db, c.req.valid("param").id);
    const ext = externalUrl(c.env);
    return c.json(toChannelView(row, await listPaired(db, row.id), ext.ok ? ext.url : null) satisfies z.input<typeof Channel>);
  })
  .patch(
    "/:id",
    route({
      operationId: "updateChannel",
      tag,
      summary: "Change the agent, the dispatch mode, the Twilio credentials or the Messaging Service.",
      description: "Each Twilio change registers the number again. 409 number_in_use when the new account + number belongs to another channel.",
      auth,
      params,
      body: PatchChannel,
      example: { dispatch_mode: "signal" },
      responses: one("The channel."),
      errors: [400, 404, 409, 415],
    }),
    async (c) => {
      const body = c.req.valid("json");
      const id = c.req.valid("param").id;
      const db = createDb(c.env.DB);
      const row = await channelRow(db, id);
      if (body.agent_id) await requireAgentInSpace(db, row.spaceId, body.agent_id);
      const result = await channelStub(c.env, id).update(id, {
        agentId: body.agent_id,
        dispatchMode: body.dispatch_mode,
        accountSid: body.config?.account_sid,
        authToken: body.config?.auth_token,
        fromNumber: body.config?.from_number,
        messagingServiceSid: body.config?.messaging_service_sid,
      });
      return c.json(unwrap(result) satisfies z.input<typeof Channel>);
    },
  )
  .delete(
    "/:id",
    route({
      operationId: "deleteChannel",
      tag,
      summary: "Delete the channel.",
      description:
        "Clears the number's SmsUrl when it still points at this channel; otherwise sms_url_left says where it points. Does not wait for turns in flight: they end without writing anything more, their Queue messages are acknowledged, and no reply is sent after the delete began.",
      auth,
      params,
      responses: { 200: { description: "Deleted.", schema: ChannelDeleted, example: { id: ex.channel.id, deleted: true, sms_url_cleared: true } } },
      errors: [404],
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json({ id, deleted: true as const, ...unwrap(await channelStub(c.env, id).remove(id)) } satisfies z.input<typeof ChannelDeleted>);
    },
  )
  .get(
    "/:id/events",
    route({
      operationId: "channelEvents",
      tag,
      summary: 'WebSocket of live channel and message events (each frame a ChannelEvent as JSON; send "ping" for "pong").',
      auth,
      params,
      headers: WebSocketHeaders,
      responses: { 101: { description: "Switching protocols; frames are ChannelEvent JSON.", schema: ChannelEvent, example: { type: "message", message: ex.message } } },
      errors: [404, 426],
    }),
    async (c) => {
      // Live channel and message events for the settings UI, pushed by the channel object over a WebSocket.
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError(426, "upgrade_required", "Connect with a WebSocket.");
      const id = c.req.valid("param").id;
      await channelRow(createDb(c.env.DB), id);
      return channelStub(c.env, id).fetch(c.req.raw);
    },
  )
  .post(
    "/:id/connect",
    route({
      operationId: "connectChannel",
      tag,
      summary: "(Re)register the number's SMS webhook with Twilio; a failure shows in the channel's status and error.",
      auth,
      params,
      responses: one("The channel."),
      errors: [404, 409],
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json(unwrap(await channelStub(c.env, id).connectTwilio(id)) satisfies z.input<typeof Channel>);
    },
  )
  .get(
    "/:id/diagnostics",
    route({
      operationId: "channelDiagnostics",
      tag,
      summary: "Run the channel's health checks now (a result a few seconds old is reused).",
      description: "Checks: credentials, sms_url, messaging_service, signature, status_callbacks, inbound; each ok, warn or fail with a hint.",
      auth,
      params,
      responses: { 200: { description: "The checks.", schema: Diagnostics, example: ex.diagnostics } },
      errors: [404],
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json(unwrap(await channelStub(c.env, id).diagnostics(id)) satisfies z.input<typeof Diagnostics>);
    },
  )
  .post(
    "/:id/disconnect",
    route({
      operationId: "disconnectChannel",
      tag,
      summary: "Clear the number's SMS webhook (only while it points at this channel) and mark the channel disconnected.",
      auth,
      params,
      responses: { 200: { description: "The channel.", schema: ChannelDisconnected, example: { ...ex.channel, status: "disconnected" } } },
      errors: [404],
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json(unwrap(await channelStub(c.env, id).disconnect(id)) satisfies z.input<typeof ChannelDisconnected>);
    },
  )
  .post(
    "/:id/pairing",
    route({
      operationId: "newPairingCode",
      tag,
      summary: "Issue a new pairing code; texting it from a phone pairs that phone.",
      auth,
      params,
      responses: { 201: { description: "The code.", schema: Pairing, example: ex.pairing } },
      errors: [404, 409],
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json(unwrap(await channelStub(c.env, id).newPairing(id)) satisfies z.input<typeof Pairing>, 201);
    },
  )
  .delete(
    "/:id/paired-addresses/:address",
    route({ operationId: "unpairAddress", tag, summary: "Unpair an address.", auth, params: PairedAddressParams, responses: one("The channel."), errors: [404] }),
    async (c) => {
      const { id, address } = c.req.valid("param");
      return c.json(unwrap(await channelStub(c.env, id).unpair(id, address.trim())) satisfies z.input<typeof Channel>);
    },
  )
  .get(
    "/:id/messages",
    route({
      operationId: "listMessages",
      tag,
      summary: "The channel's messages, newest first.",
      auth,
      params,
      query: LimitQuery,
      responses: { 200: { description: "Messages.", schema: z.array(Message), example: [ex.message] } },
      errors: [400, 404],
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const { id } = await channelRow(db, c.req.valid("param").id);
      return c.json((await messageViews(db, await listMessages(db, id, c.req.valid("query").limit))) satisfies z.input<typeof Message>[]);
    },
  )
  .get(
    "/:id/turns",
    route({
      operationId: "listTurns",
      tag,
      summary: "The channel's agent turns, newest first.",
      auth,
      params,
      query: LimitQuery,
      responses: { 200: { description: "Turns.", schema: z.array(Turn), example: [ex.turn] } },
      errors: [400, 404],
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const { id } = await channelRow(db, c.req.valid("param").id);
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
    },
  );
