// Spaces, agents and agent keys: what the admin API takes and returns for them.
import { z } from "zod";
import { HANDLE } from "../../domain/policy";
import { agentName, spaceName } from "../names";
import { component, Id, Time } from "./common";

export const Space = component("Space", z.object({ id: Id("sp", "space"), name: z.string(), created_at: Time }));
export const CreateSpace = component("CreateSpace", z.object({ name: spaceName }));

const MODEL = /^(builtin:echo|workers-ai:.+|openai:.+)$/;
const model = z.string().describe('"builtin:echo", "workers-ai:<model>" or "openai:<model>".');

export const Agent = component(
  "Agent",
  z.object({
    id: Id("ag", "agent"),
    space_id: Id("sp", "space"),
    name: z.string(),
    handle: z.string().describe("Unique; the agent's Cedar principal id (Policy::Agent::\"<handle>\")."),
    instructions: z.string(),
    model,
    created_at: Time,
  }),
);

export const CreateAgent = component(
  "CreateAgent",
  z.object({
    name: agentName,
    space_id: z.string().min(1),
    handle: z
      .string()
      .regex(HANDLE, "lowercase letters, digits, - and _ (max 63), starting with a letter or digit")
      .optional()
      .describe("Unique; derived from the name when absent."),
    instructions: z.string().max(20_000).optional(),
    model: z.string().regex(MODEL, 'one of "builtin:echo", "workers-ai:<model>", "openai:<model>"').optional().describe("Default builtin:echo."),
  }),
);

export const AgentParams = z.object({ id: z.string().describe("The agent's id (ag_…).") });
export const AgentKeyParams = AgentParams.extend({ keyId: z.string().describe("The key's id (key_…).") });

export const AgentKey = component(
  "AgentKey",
  z.object({
    id: Id("key", "key"),
    agent_id: Id("ag", "agent"),
    prefix: z.string().describe("The key's first characters, to tell keys apart."),
    name: z.string().nullable(),
    created_at: Time,
    revoked_at: Time.nullable(),
  }),
);
export const AgentKeyCreated = component(
  "AgentKeyCreated",
  AgentKey.extend({ key: z.string().regex(/^tgk_[A-Za-z0-9_-]{32,}$/).describe("The API key (tgk_…). Shown only in this response; only its SHA-256 is stored.") }),
);
export const CreateAgentKey = component("CreateAgentKey", z.object({ name: z.string().trim().min(1).max(100).optional() }).strict());
