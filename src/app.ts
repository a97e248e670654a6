// The Hono app: one sub-app per area joined with app.route(), and the one onError that renders every failure
// as {error:{code,message,details?}} with a fitting status.
import { Hono } from "hono";
import { z } from "zod";
import { HTTPException } from "hono/http-exception";
import { agentKeyAuth } from "./routes/agent-auth";
import { agentKeyRoutes } from "./routes/agent-keys";
import { requireAdmin } from "./routes/auth";
import { agentRoutes } from "./routes/agents";
import { channelRoutes } from "./routes/channels";
import { mcpRoutes } from "./routes/mcp";
import { mediaRoutes, signedMediaRoutes } from "./routes/media";
import { policyRoutes } from "./routes/policies";
import { referenceRoutes } from "./routes/reference";
import { replyPageRoutes } from "./routes/reply-page";
import { signalRoutes } from "./routes/signals";
import { spaceRoutes } from "./routes/spaces";
import { uiRoutes } from "./routes/ui";
import { webhookRoutes } from "./routes/webhooks";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { required } from "./lib/config";
import { AppError } from "./lib/errors";
import { route } from "./routes/contract";

export const app = new Hono<{ Bindings: Env }>();

app.get(
  "/healthz",
  route({ operationId: "health", tag: "meta", summary: "The worker is up.", auth: "none", responses: { 200: { description: "Up.", schema: z.object({ ok: z.literal(true) }), example: { ok: true } } }, errors: [] }),
  (c) => c.json({ ok: true as const }),
);

// Public: the reference describes the API and exposes no data. Built from this app's own route table.
app.route("/api", referenceRoutes(() => app.routes));
app.use("/api/signals/*", agentKeyAuth);
app.use("/api/media/*", agentKeyAuth);
// Refuse early, naming the setting, rather than failing deep inside a channel object.
const requireSecrets = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  required(c.env, "ENCRYPTION_KEY");
  await next();
});
app.use(
  "/api/*",
  bodyLimit({
    maxSize: 256 * 1024,
    onError: () => {
      throw new AppError(413, "payload_too_large", "Request bodies are limited to 256 KiB.");
    },
  }),
);
app.use("/api/*", requireSecrets);
app.use("/webhooks/*", requireSecrets);
app.use("/api/*", requireAdmin);
app.route("/api/spaces", spaceRoutes);
app.route("/api/agents", agentRoutes);
app.route("/api/agents", agentKeyRoutes);
app.route("/api/channels", channelRoutes);
app.route("/api/policies", policyRoutes);
app.route("/api/signals", signalRoutes);
app.route("/api/media", mediaRoutes);
app.route("/webhooks", webhookRoutes);
app.route("/mcp", mcpRoutes);
app.route("/r", replyPageRoutes);
app.route("/m", signedMediaRoutes);
app.route("/", uiRoutes);

app.notFound((c) => c.json(new AppError(404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`).toJSON(), 404));

app.onError((err, c) => {
  if (err instanceof AppError) {
    if (err.status >= 500) console.error(`[${err.code}] ${err.message}${err.detail ? ` — ${err.detail}` : ""}`);
    return c.json(err.toJSON(), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 400 ? "bad_request" : status === 401 ? "unauthorized" : status === 404 ? "not_found" : "http_error";
    return c.json(new AppError(400, code, err.message || "Request failed").toJSON(), status);
  }
  if (err instanceof SyntaxError) return c.json(new AppError(400, "bad_request", "Malformed JSON body.").toJSON(), 400);
  console.error("unhandled error", err);
  return c.json(new AppError(500, "internal_error", "Something went wrong on our side.").toJSON(), 500);
});
