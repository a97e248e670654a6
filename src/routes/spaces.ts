// Spaces: the grouping that agents and channels belong to.
import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { insertSpace } from "../db/agents";
import { createDb } from "../db/client";
import { spaces } from "../db/schema";
import { route } from "./contract";
import { CreateSpace, Space } from "./schemas/spaces";

const spaceView = (s: typeof spaces.$inferSelect): z.output<typeof Space> => ({ id: s.id, name: s.name, created_at: new Date(s.createdAt).toISOString() });
const example = { id: "sp_7k2m9q4x8c1v5b3n6z0w", name: "Home", created_at: "2026-01-05T09:00:00.000Z" };

export const spaceRoutes = new Hono<{ Bindings: Env }>()
  .post(
    "/",
    route({
      operationId: "createSpace",
      tag: "spaces",
      summary: "Create a space.",
      auth: "admin",
      body: CreateSpace,
      example: { name: "Home" },
      responses: { 201: { description: "Created.", schema: Space, example } },
      errors: [400, 415],
    }),
    async (c) => {
      const row = await insertSpace(createDb(c.env.DB), c.req.valid("json").name);
      return c.json(spaceView(row), 201);
    },
  )
  .get(
    "/",
    route({ operationId: "listSpaces", tag: "spaces", summary: "List spaces, oldest first.", auth: "admin", responses: { 200: { description: "Spaces.", schema: z.array(Space), example: [example] } }, errors: [] }),
    async (c) => {
      const rows = await createDb(c.env.DB).select().from(spaces).orderBy(asc(spaces.createdAt)).all();
      return c.json(rows.map(spaceView));
    },
  );
