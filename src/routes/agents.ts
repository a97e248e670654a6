// Agents: who answers a channel. `handle` is unique and doubles as the agent's Cedar principal id.
import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { createDb } from "../db/client";
import { agents, spaces, type AgentRow } from "../db/schema";
import { newId } from "../lib/crypto";
import { AppError, conflict } from "../lib/errors";
import { validate } from "../lib/validate";

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

const slug = (name: string) =>
  name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "agent";

const createAgent = z.object({
  name: z.string().trim().min(1).max(100),
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
    const base = body.handle ?? slug(body.name);
    // Derived handles try base, base-2 … base-5, then a random suffix, so many agents may share a name.
    for (let i = 1; i <= 10; i++) {
      const handle = i === 1 ? base : i <= 5 ? `${base}-${i}` : `${base}-${newId("x").slice(2, 8)}`;
      const row = await db
        .insert(agents)
        .values({ id: newId("ag"), spaceId: body.space_id, name: body.name, handle, instructions: body.instructions ?? "", model: body.model ?? null, createdAt: Date.now() })
        .onConflictDoNothing()
        .returning()
        .get();
      if (row) return c.json(agentView(row), 201);
      if (body.handle) throw conflict(`An agent with handle "${handle}" already exists.`, { field: "handle" });
    }
    throw conflict(`Could not find a free handle based on "${base}".`);
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
