// Channels API: thin over the channel Durable Object, which owns every write; list and read go straight to D1.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { channelStub, isChannelId } from "../channel/client";
import { numberInUseFailure } from "../channel/number-claim";
import { toChannelView } from "../channel/view";
import { getChannel, listAllPaired, listChannels, listMessages, listPaired, nextHandle } from "../db/channels";
import { createDb, type Db } from "../db/client";
import { channelWithNumber } from "../db/numbers";
import { messageView } from "../db/messages";
import { listTurns } from "../db/turns";
import { agents, spaces } from "../db/schema";
import { ACCOUNT_SID, E164, MESSAGING_SERVICE_SID } from "../domain/phone";
import { newChannelId } from "../lib/channel-id";
import { externalUrl, required, twilioDefaults } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { unwrap } from "../lib/result";
import { validate } from "../lib/validate";

const accountSid = z.string().trim().regex(ACCOUNT_SID, "must be AC followed by 32 hex characters");
const fromNumber = z.string().trim().regex(E164, "must be an E.164 number such as +15551234567");
const authToken = z.string().trim().min(1, "must not be empty").max(200);
/** A Messaging Service to send replies through; "" or null: none (replies go out from the number itself). */
const messagingServiceSid = z
  .string()
  .trim()
  .refine((v) => v === "" || MESSAGING_SERVICE_SID.test(v), "must be MG followed by 32 hex characters")
  .nullable()
  .transform((v) => v || null);
const dispatchMode = z.enum(["message", "signal"]);

const createChannel = z.object({
  provider: z.literal("twilio_sms"),
  space_id: z.string().min(1),
  agent_id: z.string().min(1),
  dispatch_mode: dispatchMode.optional(),
  config: z
    .object({ account_sid: z.string().optional(), auth_token: z.string().optional(), from_number: z.string().optional(), messaging_service_sid: messagingServiceSid.optional() })
    .strict()
    .default({}),
});

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

function invalid(issues: { path: string; message: string }[]): AppError {
  return new AppError(400, "validation_error", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
}

/** Fills config from VOICE_TWILIO_* and validates the result, naming the setting when a default is missing too. */
function resolveConfig(env: Env, given: { account_sid?: string; auth_token?: string; from_number?: string }) {
  const d = twilioDefaults(env);
  const merged = { account_sid: given.account_sid?.trim() || d.account_sid, auth_token: given.auth_token?.trim() || d.auth_token, from_number: given.from_number?.trim() || d.from_number };
  const issues: { path: string; message: string }[] = [];
  const check = (field: keyof typeof merged, setting: string, schema: z.ZodType) => {
    const value = merged[field];
    if (!value) issues.push({ path: `config.${field}`, message: `required (or set ${setting})` });
    else {
      const r = schema.safeParse(value);
      if (!r.success) issues.push({ path: `config.${field}`, message: r.error.issues[0]!.message });
    }
  };
  check("account_sid", "VOICE_TWILIO_ACCOUNT_SID", accountSid);
  check("auth_token", "VOICE_TWILIO_AUTH_TOKEN", authToken);
  check("from_number", "VOICE_TWILIO_FROM_NUMBER", fromNumber);
  if (issues.length) throw invalid(issues);
  return merged as { account_sid: string; auth_token: string; from_number: string };
}

async function requireAgentInSpace(db: Db, spaceId: string, agentId: string) {
  const [space, agent] = await Promise.all([
    db.select({ id: spaces.id }).from(spaces).where(eq(spaces.id, spaceId)).get(),
    db.select({ id: agents.id, spaceId: agents.spaceId }).from(agents).where(eq(agents.id, agentId)).get(),
  ]);
  const issues: { path: string; message: string }[] = [];
  if (!space) issues.push({ path: "space_id", message: `no space ${spaceId}` });
  if (!agent) issues.push({ path: "agent_id", message: `no agent ${agentId}` });
  else if (space && agent.spaceId !== spaceId) issues.push({ path: "agent_id", message: `agent ${agentId} belongs to another space` });
  if (issues.length) throw invalid(issues);
}

export const channelRoutes = new Hono<{ Bindings: Env }>()
  // Admin-only, but still: an id that cannot be a channel of ours must not create an object (and its storage).
  .use("/:id/*", async (c, next) => {
    if (!(await isChannelId(c.env, c.req.param("id")))) throw notFound("channel");
    await next();
  })
  .post("/", validate("json", createChannel), async (c) => {
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    await requireAgentInSpace(db, body.space_id, body.agent_id);
    const config = resolveConfig(c.env, body.config);
    // Refused here before an object is made for it; the object's insert claims the number atomically all the same.
    const holder = await channelWithNumber(db, config.account_sid, config.from_number);
    if (holder) unwrap(numberInUseFailure(holder, config.account_sid, config.from_number));
    const id = await newChannelId(required(c.env, "ENCRYPTION_KEY"));
    const stub = channelStub(c.env, id);
    const input = {
      id,
      spaceId: body.space_id,
      agentId: body.agent_id,
      accountSid: config.account_sid,
      authToken: config.auth_token,
      fromNumber: config.from_number,
      messagingServiceSid: body.config.messaging_service_sid ?? null,
      dispatchMode: body.dispatch_mode ?? "message",
    };
    // Handles are allocated optimistically; a concurrent create that took the same one makes us pick again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await stub.setup(input, await nextHandle(db));
      if (result.ok) return c.json(result.value, 201);
      if (result.error.code !== "conflict") unwrap(result);
    }
    throw new AppError(409, "conflict", "Could not allocate a channel handle; try again.");
  })
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
