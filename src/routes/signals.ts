// Signal watches API: create a watch, wait on it (long-poll or WebSocket), cancel it. The work is in
// src/signals/service.ts; this only frames HTTP.
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../lib/errors";
import { validate } from "../lib/validate";
import { cancelWatch, createWatch, getWatch, listWatches, watchSocket, WatchRequest, type Principal } from "../signals/service";

type Vars = { Variables: { principal?: Principal }; Bindings: Env };
const who = (c: { get(key: "principal"): Principal | undefined }): Principal => c.get("principal") ?? { kind: "admin" };

export const signalRoutes = new Hono<Vars>()
  .post("/watches", validate("json", WatchRequest), async (c) => {
    const view = await createWatch(c.env, who(c), c.req.valid("json"));
    return c.json(view, 201);
  })
  .get("/watches", validate("query", z.object({ channel_id: z.string().min(1).optional() })), async (c) => {
    return c.json(await listWatches(c.env, who(c), c.req.valid("query").channel_id ?? null));
  })
  .get("/watches/:id", validate("query", z.object({ wait: z.coerce.number().min(0).max(60).default(0) })), async (c) => {
    return c.json(await getWatch(c.env, who(c), c.req.param("id"), c.req.valid("query").wait));
  })
  .get("/watches/:id/ws", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError(426, "upgrade_required", "Connect with a WebSocket.");
    return watchSocket(c.env, who(c), c.req.param("id"), c.req.raw);
  })
  .delete("/watches/:id", async (c) => c.json(await cancelWatch(c.env, who(c), c.req.param("id"))));
