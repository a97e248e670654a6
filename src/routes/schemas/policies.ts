// The policies API: the Cedar text (sent as text or as JSON), what a save returns, and the decision checker.
import { z } from "zod";
import { MAX_ADDRESS_LENGTH, MAX_HANDLE_LENGTH, POLICY_ACTIONS } from "../../domain/policy";
import { component, ErrorBody, Time } from "./common";

/** The raw body's limit (the text itself is bounded again, in characters, by the policy engine). */
export const MAX_POLICY_BYTES = 64 * 1024;

export const PolicyText = z.string().describe("Cedar policies.");
export const PolicyTextBody = component("PolicyTextBody", z.object({ text: PolicyText }), "The policies as JSON; text/plain and application/cedar bodies are the text itself.");

export const Policy = component(
  "Policy",
  z.object({ text: PolicyText, version: z.number().int().min(0).describe("0 when none was ever saved."), updated_at: Time.nullable() }),
);
export const PolicySaved = component("PolicySaved", Policy.extend({ policies: z.number().int().min(0).describe("How many policies the text holds.") }));

export const PolicyProblem = component(
  "PolicyProblem",
  z.object({
    message: z.string(),
    line: z.number().int().min(1).optional(),
    column: z.number().int().min(1).optional(),
    help: z.string().optional(),
    policy: z.string().optional().describe("The id (user.0 or its @id) of the policy at fault."),
  }),
  "One of Cedar's diagnostics (an invalid_policy error's details.errors).",
);

const handle = (what: string) => z.string({ error: `Enter ${what} handle` }).min(1, `Enter ${what} handle`).max(MAX_HANDLE_LENGTH, `A handle is at most ${MAX_HANDLE_LENGTH} characters`);
const ADDRESS_WORDS = `Enter the sender's address: a phone number, short code or sender name of at most ${MAX_ADDRESS_LENGTH} characters`;
const address = z.string({ error: ADDRESS_WORDS }).min(1, ADDRESS_WORDS).max(MAX_ADDRESS_LENGTH, ADDRESS_WORDS);

export const PolicyCheck = component(
  "PolicyCheck",
  z.object({
    agent: handle("an agent's").describe("The agent's handle."),
    action: z.enum(POLICY_ACTIONS, { error: 'Choose "receive_message" or "receive_signal"' }).default("receive_message"),
    channel: handle("a channel's").describe("The channel's handle."),
    sender: z
      .union([address, z.object({ address, paired: z.boolean().optional().describe("Default: whether the channel has it paired.") })], { error: ADDRESS_WORDS })
      .describe("The sender's address, or {address, paired}."),
  }),
);

export const PolicyDecision = component(
  "PolicyDecision",
  z.object({
    decision: z.enum(["allow", "deny"]),
    reasons: z.array(z.string()).describe("Ids of the policies that decided."),
    errors: z.array(z.string()),
    explanation: z.string(),
    policy_version: z.number().int().min(0),
    sender_paired: z.boolean(),
    warnings: z.array(z.string()),
  }),
);

/** PUT /api/policies' 400 when the text does not validate (other 400s are the usual Error). */
export const InvalidPolicy = z.union([
  component(
    "InvalidPolicyError",
    z.object({ error: z.object({ code: z.literal("invalid_policy"), message: z.string(), details: z.object({ errors: z.array(PolicyProblem) }) }) }),
    "The policies do not validate: details.errors lists Cedar's diagnostics, with line and column.",
  ),
  ErrorBody,
]);
