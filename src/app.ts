// The Hono app: one sub-app per area joined with app.route(), and the one onError that renders every failure
// as {error:{code,message,details?}} with a fitting status.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAdmin } from "./routes/auth";
import { agentRoutes } from "./routes/agents";
import { channelRoutes } from "./routes/channels";
import { policyRoutes } from "./routes/policies";
import { signalRoutes } from "./routes/signals";
import { spaceRoutes } from "./routes/spaces";
import { webhookRoutes } from "./routes/webhooks";
import { AppError } from "./lib/errors";

export const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

app.use("/api/*", requireAdmin);
app.route("/api/spaces", spaceRoutes);
app.route("/api/agents", agentRoutes);
app.route("/api/channels", channelRoutes);
app.route("/api/policies", policyRoutes);
app.route("/api/signals", signalRoutes);
app.route("/webhooks", webhookRoutes);

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
