// Policies API: the user's Cedar policy text (validated against the schema before it is saved, versioned) and a
// check endpoint that explains a decision, for debugging who an agent receives.
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { channelStub } from "../channel/client";
import { hubStub } from "../channel/signal-router";
import { createDb } from "../db/client";
import { currentPolicy, savePolicy } from "../db/policies";
import { agents, channels, pairedAddresses } from "../db/schema";
import { describeDecision, getPolicyEngine, validatePolicies } from "../domain/policy";
import { AppError } from "../lib/errors";
import { parseOrThrow, route } from "./contract";
import { InvalidPolicy, MAX_POLICY_BYTES, Policy, PolicyCheck, PolicyDecision, PolicySaved, PolicyText, PolicyTextBody } from "./schemas/policies";

const view = (p: { version: number; text: string; updatedAt: number | null }): z.output<typeof Policy> => ({
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
    return parseOrThrow(PolicyTextBody, body).text;
  }
  throw new AppError(415, "unsupported_media_type", "Send the policies as text/plain, or as JSON {\"text\": \"...\"}.");
}

const TEXT = 'permit(\n  principal == Policy::Agent::"assistant",\n  action == Policy::Action::"receive_message",\n  resource in Policy::Channel::"sms"\n) when { resource.sender.address == "+15559876543" };';
const saved = { text: TEXT, version: 3, updated_at: "2026-01-05T09:00:00.000Z" };
const tag = "policies";

export const policyRoutes = new Hono<{ Bindings: Env }>()
  .get(
    "/",
    route({ operationId: "getPolicy", tag, summary: "The Cedar policies in force.", auth: "admin", responses: { 200: { description: "The policies.", schema: Policy, example: saved } }, errors: [] }),
    async (c) => c.json(view(await currentPolicy(createDb(c.env.DB)))),
  )
  .put(
    "/",
    route({
      operationId: "putPolicy",
      tag,
      summary: "Validate and save a new version of the policies.",
      description: "400 invalid_policy with details.errors (PolicyProblem: line, column, help) when the text does not validate; nothing is saved then.",
      auth: "admin",
      accepts: { "text/plain": { schema: PolicyText, example: TEXT }, "application/cedar": { schema: PolicyText }, "application/json": { schema: PolicyTextBody, example: { text: TEXT } } },
      responses: {
        200: { description: "Saved.", schema: PolicySaved, example: { ...saved, policies: 1 } },
        400: {
          description: "invalid_policy (nothing is saved), or validation_error / bad_request for a JSON body.",
          schema: InvalidPolicy,
          example: { error: { code: "invalid_policy", message: "The policies do not validate: unexpected token `)`", details: { errors: [{ message: "unexpected token `)`", line: 1, column: 8 }] } } },
        },
      },
      errors: [415],
    }),
    async (c) => {
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
      return c.json({ ...view(saved), policies: result.policies } satisfies z.input<typeof PolicySaved>);
    },
  )
  .post(
    "/check",
    route({
      operationId: "checkPolicy",
      tag,
      summary: "Explain the decision for a sender reaching an agent on a channel.",
      auth: "admin",
      body: PolicyCheck,
      example: { agent: "assistant", action: "receive_message", channel: "sms", sender: "+15559876543" },
      responses: {
        200: {
          description: "The decision.",
          schema: PolicyDecision,
          example: { decision: "allow", reasons: ["user.0"], errors: [], explanation: "allowed by user.0", policy_version: 3, sender_paired: true, warnings: [] },
        },
      },
      errors: [400, 415],
    }),
    async (c) => {
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
      return c.json({ ...decision, explanation: describeDecision(decision, query), policy_version: policy.version, sender_paired: isPaired, warnings } satisfies z.input<typeof PolicyDecision>);
    },
  );
