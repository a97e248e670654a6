// Worker entry: HTTP through the Hono app, agent turns through the Queue consumer, D1 retention on the Cron
// Trigger, and the Durable Object classes.
import { app } from "./app";
import { sweepD1 } from "./db/retention";
import { handleTurnBatch } from "./queue/turns";

export { AuthGuard } from "./auth/guard-object";
export { ChannelObject } from "./channel/object";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleTurnBatch(batch, env),
  scheduled: async (controller, env) => {
    const counts = await sweepD1(env, controller.scheduledTime);
    console.log(`retention sweep: ${JSON.stringify(counts)}`);
  },
} satisfies ExportedHandler<Env>;
