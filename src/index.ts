// Worker entry: HTTP through the Hono app, agent turns through the Queue consumer, and the Durable Object classes.
import { app } from "./app";

export { ChannelObject } from "./channel/object";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    // Agent turns arrive with the message-mode work; until then, acknowledge nothing so nothing is lost.
    batch.retryAll();
  },
} satisfies ExportedHandler<Env>;
