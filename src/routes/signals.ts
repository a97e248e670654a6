// Signal watches API: create a watch, wait on it (long-poll or WebSocket), cancel it. The work is in
// src/signals/service.ts; this only frames HTTP.
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../lib/errors";
import { cancelWatch, createCheckedWatch, getWatch, listWatches, watchSocket, type Principal } from "../signals/service";
import { route } from "./contract";
import { WebSocketHeaders } from "./schemas/common";
import { CursorQuery, ListWatchesQuery, signalExamples as ex, WaitQuery, Watch, WatchParams, WatchPush, WatchRequestBody } from "./schemas/signals";

type Vars = { Variables: { principal?: Principal }; Bindings: Env };
const who = (c: { get(key: "principal"): Principal | undefined }): Principal => c.get("principal") ?? { kind: "admin" };

const tag = "signals";
const auth = "admin_or_agent";
const one = (description: string, example: unknown = ex.watch) => ({ 200: { description, schema: Watch, example } });

export const signalRoutes = new Hono<Vars>()
  .post(
    "/watches",
    route({
      operationId: "createWatch",
      tag,
      summary: "Create a signal watch: once (takes one SMS) or continuous (records every fitting SMS).",
      description: "agent_id is required with the admin token; with an agent key it defaults to (and must be) the key's agent.",
      auth,
      body: WatchRequestBody,
      example: ex.request,
      responses: { 201: { description: "Created (a once-watch matched at once if the lookback found a message).", schema: Watch, example: ex.watch } },
      errors: [400, 403, 415, 429],
    }),
    async (c) => c.json((await createCheckedWatch(c.env, who(c), c.req.valid("json"))) satisfies z.input<typeof Watch>, 201),
  )
  .get(
    "/watches",
    route({
      operationId: "listWatches",
      tag,
      summary: "Recent watches of a channel (or of the any-channel hub); an agent key sees its own only.",
      auth,
      query: ListWatchesQuery,
      responses: { 200: { description: "Watches.", schema: z.array(Watch), example: [ex.watch] } },
      errors: [400, 404],
    }),
    async (c) => c.json((await listWatches(c.env, who(c), c.req.valid("query").channel_id ?? null)) satisfies z.input<typeof Watch>[]),
  )
  .get(
    "/watches/:id",
    route({ operationId: "getWatch", tag, summary: "Get a watch; with wait > 0, a long-poll that answers as soon as it settles (or, from after=SEQ, records a match after SEQ).", auth, params: WatchParams, query: WaitQuery, responses: one("The watch.", ex.matched), errors: [400, 404] }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json((await getWatch(c.env, who(c), c.req.valid("param").id, q.wait, q.after)) satisfies z.input<typeof Watch>);
    },
  )
  .get(
    "/watches/:id/ws",
    route({
      operationId: "watchSocket",
      tag,
      summary: "WebSocket that pushes the watch's result when it settles, or each match of a continuous watch.",
      auth,
      params: WatchParams,
      query: CursorQuery,
      headers: WebSocketHeaders,
      responses: { 101: { description: "Switching protocols; frames are WatchPush JSON.", schema: WatchPush, example: { id: ex.watch.id, status: "matched", signal: ex.matched.signal } } },
      errors: [400, 404, 426],
    }),
    async (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError(426, "upgrade_required", "Connect with a WebSocket.");
      return watchSocket(c.env, who(c), c.req.valid("param").id, c.req.raw);
    },
  )
  .delete(
    "/watches/:id",
    route({ operationId: "cancelWatch", tag, summary: "Cancel a watch (a settled one is returned unchanged).", auth, params: WatchParams, responses: one("The watch.", { ...ex.watch, status: "cancelled", settled_at: ex.watch.created_at }), errors: [404] }),
    async (c) => c.json((await cancelWatch(c.env, who(c), c.req.valid("param").id)) satisfies z.input<typeof Watch>),
  );
