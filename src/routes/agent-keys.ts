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
import { validate } from "../lib/validate";
import { cancelWatchesOfKey } from "../signals/service";

const createKey = z.object({ name: z.string().trim().min(1).max(100).optional() }).strict();

async function requireAgent(db: Db, id: string) {
  if (!(await db.select({ id: agents.id }).from(agents).where(eq(agents.id, id)).get())) throw notFound("agent");
}

export const agentKeyRoutes = new Hono<{ Bindings: Env }>()
  .post("/:id/keys", validate("json", createKey), async (c) => {
    const db = createDb(c.env.DB);
    const agentId = c.req.param("id");
    await requireAgent(db, agentId);
    const { row, key } = await createAgentKey(db, agentId, c.req.valid("json").name ?? null);
    return c.json({ ...agentKeyView(row), key }, 201);
  })
  .get("/:id/keys", async (c) => {
    const db = createDb(c.env.DB);
    const agentId = c.req.param("id");
    await requireAgent(db, agentId);
    return c.json((await listAgentKeys(db, agentId)).map(agentKeyView));
  })
  .delete("/:id/keys/:keyId", async (c) => {
    const row = await revokeAgentKey(createDb(c.env.DB), c.req.param("id"), c.req.param("keyId"));
    if (!row) throw notFound("key");
    await cancelWatchesOfKey(c.env, row.id);
    return c.json(agentKeyView(row));
  });
