// Spaces: the grouping that agents and channels belong to.
import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { insertSpace } from "../db/agents";
import { createDb } from "../db/client";
import { spaces } from "../db/schema";
import { validate } from "../lib/validate";
import { spaceName } from "./names";

const spaceView = (s: typeof spaces.$inferSelect) => ({ id: s.id, name: s.name, created_at: new Date(s.createdAt).toISOString() });

export const spaceRoutes = new Hono<{ Bindings: Env }>()
  .post("/", validate("json", z.object({ name: spaceName })), async (c) => {
    const row = await insertSpace(createDb(c.env.DB), c.req.valid("json").name);
    return c.json(spaceView(row), 201);
  })
  .get("/", async (c) => {
    const rows = await createDb(c.env.DB).select().from(spaces).orderBy(asc(spaces.createdAt)).all();
    return c.json(rows.map(spaceView));
  });
