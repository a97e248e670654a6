// Spaces: the grouping that agents and channels belong to.
import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { createDb } from "../db/client";
import { spaces } from "../db/schema";
import { newId } from "../lib/crypto";
import { validate } from "../lib/validate";

const spaceView = (s: typeof spaces.$inferSelect) => ({ id: s.id, name: s.name, created_at: new Date(s.createdAt).toISOString() });

export const spaceRoutes = new Hono<{ Bindings: Env }>()
  .post("/", validate("json", z.object({ name: z.string().trim().min(1).max(100) })), async (c) => {
    const row = await createDb(c.env.DB).insert(spaces).values({ id: newId("sp"), name: c.req.valid("json").name, createdAt: Date.now() }).returning().get();
    return c.json(spaceView(row), 201);
  })
  .get("/", async (c) => {
    const rows = await createDb(c.env.DB).select().from(spaces).orderBy(asc(spaces.createdAt)).all();
    return c.json(rows.map(spaceView));
  });
