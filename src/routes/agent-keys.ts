// Per-agent API keys (admin only): make one (its plaintext is shown once), list them, revoke one. An external
// agent uses its key on the signals API and /mcp, where it can touch only its own agent's watches; revoking a key
// ends the watches made with it.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { agentKeyView, createAgentKey, listAgentKeys, revokeAgentKey } from "../db/agent-keys";
import { createDb, type Db } from "../db/client";
import { agents } from "../db/schema";
import { notFound } from "../lib/errors";
import { cancelWatchesOfKey } from "../signals/service";
import { route } from "./contract";
import { AgentKey, AgentKeyCreated, AgentKeyParams, AgentParams, CreateAgentKey } from "./schemas/spaces";

async function requireAgent(db: Db, id: string) {
  if (!(await db.select({ id: agents.id }).from(agents).where(eq(agents.id, id)).get())) throw notFound("agent");
}

const example = { id: "key_5n1q8s3v7x0z4b9d2f6h", agent_id: "ag_3f8h1k5m9p2r6t0v4x7z", prefix: "tgk_Xq3vT9aB", name: "laptop", created_at: "2026-01-05T09:00:00.000Z", revoked_at: null };

export const agentKeyRoutes = new Hono<{ Bindings: Env }>()
  .post(
    "/:id/keys",
    route({
      operationId: "createAgentKey",
      tag: "agent keys",
      summary: "Make an API key for the agent; the key is returned only here.",
      auth: "admin",
      params: AgentParams,
      body: CreateAgentKey,
      example: { name: "laptop" },
      responses: { 201: { description: "Created.", schema: AgentKeyCreated, example: { ...example, key: "tgk_Xq3vT9aBfJ2kL8mN4pQ6rS0tU1vW3xY5zA7bC9dE1fG" } } },
      errors: [400, 404, 415],
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const agentId = c.req.valid("param").id;
      await requireAgent(db, agentId);
      const { row, key } = await createAgentKey(db, agentId, c.req.valid("json").name ?? null);
      return c.json({ ...agentKeyView(row), key } satisfies z.input<typeof AgentKeyCreated>, 201);
    },
  )
  .get(
    "/:id/keys",
    route({
      operationId: "listAgentKeys",
      tag: "agent keys",
      summary: "List the agent's keys (never the keys themselves).",
      auth: "admin",
      params: AgentParams,
      responses: { 200: { description: "Keys.", schema: z.array(AgentKey), example: [example] } },
      errors: [404],
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const agentId = c.req.valid("param").id;
      await requireAgent(db, agentId);
      return c.json((await listAgentKeys(db, agentId)).map(agentKeyView) satisfies z.input<typeof AgentKey>[]);
    },
  )
  .delete(
    "/:id/keys/:keyId",
    route({
      operationId: "revokeAgentKey",
      tag: "agent keys",
      summary: "Revoke a key (idempotent); the watches made with it are cancelled.",
      auth: "admin",
      params: AgentKeyParams,
      responses: { 200: { description: "The revoked key.", schema: AgentKey, example: { ...example, revoked_at: "2026-01-06T12:00:00.000Z" } } },
      errors: [404],
    }),
    async (c) => {
      const { id, keyId } = c.req.valid("param");
      const row = await revokeAgentKey(createDb(c.env.DB), id, keyId);
      if (!row) throw notFound("key");
      await cancelWatchesOfKey(c.env, row.id);
      return c.json(agentKeyView(row) satisfies z.input<typeof AgentKey>);
    },
  );
