// Policies API: the user's Cedar policy text (validated against the schema before it is saved, versioned) and a
// check endpoint that explains a decision, for debugging who an agent receives.
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { channelStub } from "../channel/client";
import { hubStub } from "../channel/signal-router";
import { createDb } from "../db/client";
import { currentPolicy, savePolicy } from "../db/policies";
import { agents, channels, pairedAddresses } from "../db/schema";
import { MAX_ADDRESS_LENGTH, MAX_HANDLE_LENGTH, describeDecision, getPolicyEngine, validatePolicies } from "../domain/policy";
import { AppError } from "../lib/errors";
import { validate } from "../lib/validate";

const MAX_POLICY_BYTES = 64 * 1024;

const view = (p: { version: number; text: string; updatedAt: number | null }) => ({
  text: p.text,
  version: p.version,
  updated_at: p.updatedAt ? new Date(p.updatedAt).toISOString() : null,
});

async function policyText(req: Request): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const raw = await req.text();
  if (raw.length > MAX_POLICY_BYTES) throw new AppError(413, "payload_too_large", `Policies are limited to ${MAX_POLICY_BYTES} bytes.`);
  if (type.startsWith("text/plain") || type.startsWith("application/cedar")) return raw;
  if (type.includes("json")) {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new AppError(400, "bad_request", "Malformed JSON body.");
    }
    const parsed = z.object({ text: z.string() }).safeParse(body);
    if (!parsed.success) throw new AppError(400, "validation_error", "text: expected the policy text as a string", { issues: [{ path: "text", message: "required string" }] });
    return parsed.data.text;
  }
  throw new AppError(415, "unsupported_media_type", "Send the policies as text/plain, or as JSON {\"text\": \"...\"}.");
}

const handle = (what: string) => z.string({ error: `Enter ${what} handle` }).min(1, `Enter ${what} handle`).max(MAX_HANDLE_LENGTH, `A handle is at most ${MAX_HANDLE_LENGTH} characters`);
const ADDRESS_WORDS = `Enter the sender's address: a phone number, short code or sender name of at most ${MAX_ADDRESS_LENGTH} characters`;
const address = z.string({ error: ADDRESS_WORDS }).min(1, ADDRESS_WORDS).max(MAX_ADDRESS_LENGTH, ADDRESS_WORDS);

const checkBody = z.object({
  agent: handle("an agent's"),
  action: z.enum(["receive_message", "receive_signal"], { error: 'Choose "receive_message" or "receive_signal"' }).default("receive_message"),
  channel: handle("a channel's"),
  sender: z.union([address, z.object({ address, paired: z.boolean().optional() })], { error: ADDRESS_WORDS }),
});

export const policyRoutes = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => c.json(view(await currentPolicy(createDb(c.env.DB)))))
  .put("/", async (c) => {
    const text = await policyText(c.req.raw);
    const result = validatePolicies(text);
    if (!result.ok) {
      throw new AppError(400, "invalid_policy", `The policies do not validate: ${result.errors[0]?.message ?? "unknown error"}`, { errors: result.errors });
    }
    const db = createDb(c.env.DB);
    const saved = await savePolicy(db, text);
    // Every channel object decides the next message by the new version (they cache the one in force), and so does
    // the hub, which decides for the watches on any channel (it also never decides by a version older than the
    // channel offering it a signal).
    const all = await db.select({ id: channels.id }).from(channels).all();
    const pushed = { version: saved.version, text: saved.text };
    await Promise.allSettled([...all.map((ch) => channelStub(c.env, ch.id).policyChanged(pushed)), hubStub(c.env).policyChanged(pushed)]);
    return c.json({ ...view(saved), policies: result.policies });
  })
  .post("/check", validate("json", checkBody), async (c) => {
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const sender = typeof body.sender === "string" ? { address: body.sender } : body.sender;
    const [policy, agent, channel] = await Promise.all([
      currentPolicy(db),
      db.select({ id: agents.id }).from(agents).where(eq(agents.handle, body.agent)).get(),
      db.select({ id: channels.id }).from(channels).where(eq(channels.handle, body.channel)).get(),
    ]);
    const warnings: string[] = [];
    if (!agent) warnings.push(`no agent has the handle "${body.agent}"`);
    if (!channel) warnings.push(`no channel has the handle "${body.channel}"`);
    const paired = channel
      ? await db.select({ address: pairedAddresses.address }).from(pairedAddresses).where(eq(pairedAddresses.channelId, channel.id)).all()
      : [];
    const isPaired =
      sender.paired ??
      (channel
        ? !!(await db.select({ a: pairedAddresses.address }).from(pairedAddresses).where(and(eq(pairedAddresses.channelId, channel.id), eq(pairedAddresses.address, sender.address))).get())
        : false);
    const query = { agent: body.agent, action: body.action, channel: body.channel, sender: { address: sender.address, paired: isPaired }, pairedAddresses: paired.map((p) => p.address) };
    const decision = getPolicyEngine(policy.text, String(policy.version)).decide(query);
    return c.json({ ...decision, explanation: describeDecision(decision, query), policy_version: policy.version, sender_paired: isPaired, warnings });
  });
