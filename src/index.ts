// Worker entry: HTTP through the Hono app, agent turns through the Queue consumer, and the Durable Object classes.
import { app } from "./app";
import { handleTurnBatch } from "./queue/turns";

export { AuthGuard } from "./auth/guard-object";
export { ChannelObject } from "./channel/object";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleTurnBatch(batch, env),
} satisfies ExportedHandler<Env>;
