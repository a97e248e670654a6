// Agents: who answers a channel. `handle` is unique and doubles as the agent's Cedar principal id.
import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { createDb } from "../db/client";
import { insertAgent } from "../db/agents";
import { agents, spaces, type AgentRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { validate } from "../lib/validate";
import { agentName } from "./names";

export const HANDLE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const MODEL = /^(builtin:echo|workers-ai:.+|openai:.+)$/;

export const agentView = (a: AgentRow) => ({
  id: a.id,
  space_id: a.spaceId,
  name: a.name,
  handle: a.handle,
  instructions: a.instructions,
  model: a.model ?? "builtin:echo",
  created_at: new Date(a.createdAt).toISOString(),
});

const createAgent = z.object({
  name: agentName,
  space_id: z.string().min(1),
  handle: z.string().regex(HANDLE, "lowercase letters, digits, - and _ (max 63), starting with a letter or digit").optional(),
  instructions: z.string().max(20_000).optional(),
  model: z.string().regex(MODEL, 'one of "builtin:echo", "workers-ai:<model>", "openai:<model>"').optional(),
});

export const agentRoutes = new Hono<{ Bindings: Env }>()
  .post("/", validate("json", createAgent), async (c) => {
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    if (!(await db.select({ id: spaces.id }).from(spaces).where(eq(spaces.id, body.space_id)).get())) {
      throw new AppError(400, "validation_error", `space_id: no space ${body.space_id}`, { issues: [{ path: "space_id", message: "unknown space" }] });
    }
    // Many agents may share a name: a derived handle gets a suffix when it is taken.
    const row = await insertAgent(db, { spaceId: body.space_id, name: body.name, handle: body.handle, instructions: body.instructions, model: body.model });
    return c.json(agentView(row), 201);
  })
  .get("/", async (c) => {
    const rows = await createDb(c.env.DB).select().from(agents).orderBy(asc(agents.createdAt)).all();
    return c.json(rows.map(agentView));
  })
  .get("/:id", async (c) => {
    const row = await createDb(c.env.DB).select().from(agents).where(eq(agents.id, c.req.param("id"))).get();
    if (!row) throw new AppError(404, "not_found", "agent not found");
    return c.json(agentView(row));
  });
