// Agents: who answers a channel. `handle` is unique and doubles as the agent's Cedar principal id.
import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { insertAgent } from "../db/agents";
import { createDb } from "../db/client";
import { agents, spaces, type AgentRow } from "../db/schema";
import { notFound } from "../lib/errors";
import { invalid, route } from "./contract";
import { Agent, AgentParams, CreateAgent } from "./schemas/spaces";

export const agentView = (a: AgentRow): z.output<typeof Agent> => ({
  id: a.id,
  space_id: a.spaceId,
  name: a.name,
  handle: a.handle,
  instructions: a.instructions,
  model: a.model ?? "builtin:echo",
  created_at: new Date(a.createdAt).toISOString(),
});

const example = {
  id: "ag_3f8h1k5m9p2r6t0v4x7z",
  space_id: "sp_7k2m9q4x8c1v5b3n6z0w",
  name: "Assistant",
  handle: "assistant",
  instructions: "Be brief.",
  model: "builtin:echo",
  created_at: "2026-01-05T09:00:00.000Z",
};

export const agentRoutes = new Hono<{ Bindings: Env }>()
  .post(
    "/",
    route({
      operationId: "createAgent",
      tag: "agents",
      summary: "Create an agent in a space.",
      description: "409 conflict when the handle is taken. Without a handle, one is derived from the name (assistant, assistant-2 …).",
      auth: "admin",
      body: CreateAgent,
      example: { name: "Assistant", space_id: example.space_id, handle: "assistant", instructions: "Be brief." },
      responses: { 201: { description: "Created.", schema: Agent, example } },
      errors: [400, 409, 415],
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = createDb(c.env.DB);
      if (!(await db.select({ id: spaces.id }).from(spaces).where(eq(spaces.id, body.space_id)).get())) {
        throw invalid([{ path: "space_id", message: `There is no space ${body.space_id}` }]);
      }
      // Many agents may share a name: a derived handle gets a suffix when it is taken.
      const row = await insertAgent(db, { spaceId: body.space_id, name: body.name, handle: body.handle, instructions: body.instructions, model: body.model });
      return c.json(agentView(row), 201);
    },
  )
  .get(
    "/",
    route({ operationId: "listAgents", tag: "agents", summary: "List agents, oldest first.", auth: "admin", responses: { 200: { description: "Agents.", schema: z.array(Agent), example: [example] } }, errors: [] }),
    async (c) => {
      const rows = await createDb(c.env.DB).select().from(agents).orderBy(asc(agents.createdAt)).all();
      return c.json(rows.map(agentView));
    },
  )
  .get(
    "/:id",
    route({ operationId: "getAgent", tag: "agents", summary: "Get an agent.", auth: "admin", params: AgentParams, responses: { 200: { description: "The agent.", schema: Agent, example } }, errors: [404] }),
    async (c) => {
      const row = await createDb(c.env.DB).select().from(agents).where(eq(agents.id, c.req.valid("param").id)).get();
      if (!row) throw notFound("agent");
      return c.json(agentView(row));
    },
  );
