// Creating a channel, optionally with a new space and agent for it (what "Add channel" sends in one request).
// Everything is checked before anything is written, and every problem is reported at once with its field's path;
// a space or agent made here for a channel that is then refused (a number claimed meanwhile) is removed again.
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { channelStub } from "../channel/client";
import { numberInUseFailure } from "../channel/number-claim";
import type { ChannelView } from "../channel/view";
import { insertAgent, insertSpace, removeNewOwners } from "../db/agents";
import { nextHandle } from "../db/channels";
import type { Db } from "../db/client";
import { channelWithNumber } from "../db/numbers";
import { agents, spaces } from "../db/schema";
import { newChannelId } from "../lib/channel-id";
import { required, twilioDefaults } from "../lib/config";
import { AppError } from "../lib/errors";
import { unwrap } from "../lib/result";
import { invalid, type Issue } from "./contract";
import { accountSid, authToken, fromNumber, type CreateChannel } from "./schemas/channels";

type TwilioConfig = { account_sid: string; auth_token: string; from_number: string };

/** Fills config from VOICE_TWILIO_*, naming the setting when a field is empty and has no default either. */
function resolveConfig(env: Env, given: CreateChannel["config"], issues: Issue[]): TwilioConfig {
  const d = twilioDefaults(env);
  const merged = { account_sid: given.account_sid || d.account_sid, auth_token: given.auth_token?.trim() || d.auth_token, from_number: given.from_number || d.from_number };
  const need = (field: keyof TwilioConfig, what: string, setting: string, schema: z.ZodString) => {
    const value = merged[field];
    if (!value) issues.push({ path: `config.${field}`, message: `Enter the ${what} (or set ${setting})` });
    // A default that is malformed is named as the setting to fix.
    else if (!given[field]?.trim() && !schema.safeParse(value).success) issues.push({ path: `config.${field}`, message: `${setting} is not a valid ${what}` });
  };
  need("account_sid", "Account SID", "VOICE_TWILIO_ACCOUNT_SID", accountSid);
  need("auth_token", "auth token", "VOICE_TWILIO_AUTH_TOKEN", authToken);
  need("from_number", "From number", "VOICE_TWILIO_FROM_NUMBER", fromNumber);
  return merged as TwilioConfig;
}

/** The space and agent named by id exist, and the agent is in that space; problems are added to `issues`. */
export async function checkOwners(db: Db, spaceId: string | null, agentId: string | null, issues: Issue[]) {
  const [space, agent] = await Promise.all([
    spaceId ? db.select({ id: spaces.id }).from(spaces).where(eq(spaces.id, spaceId)).get() : undefined,
    agentId ? db.select({ id: agents.id, spaceId: agents.spaceId }).from(agents).where(eq(agents.id, agentId)).get() : undefined,
  ]);
  if (spaceId && !space) issues.push({ path: "space_id", message: `There is no space ${spaceId}` });
  if (agentId && !agent) issues.push({ path: "agent_id", message: `There is no agent ${agentId}` });
  else if (agent && agent.spaceId !== spaceId) issues.push({ path: "agent_id", message: "This agent belongs to another space" });
}

export async function requireAgentInSpace(db: Db, spaceId: string, agentId: string) {
  const issues: Issue[] = [];
  await checkOwners(db, spaceId, agentId, issues);
  if (issues.length) throw invalid(issues);
}

export async function createChannel(env: Env, db: Db, body: CreateChannel): Promise<ChannelView> {
  const issues: Issue[] = [];
  if (!body.space_id === !body.space) issues.push({ path: "space_id", message: "Choose a space, or name a new one (space_id or space, not both)" });
  if (!body.agent_id === !body.agent) issues.push({ path: "agent_id", message: "Choose an agent, or name a new one (agent_id or agent, not both)" });
  else if (body.agent_id && !body.space_id) issues.push({ path: "agent_id", message: "A new space has no agents yet: name a new agent for it" });
  else if (body.agent_id) await checkOwners(db, body.space_id ?? null, body.agent_id, issues);
  else if (body.space_id) await checkOwners(db, body.space_id, null, issues);
  const config = resolveConfig(env, body.config, issues);
  if (issues.length) throw invalid(issues);
  // Refused here before anything is made for it; the object's insert claims the number atomically all the same.
  const holder = await channelWithNumber(db, config.account_sid, config.from_number);
  if (holder) unwrap(numberInUseFailure(holder, config.account_sid, config.from_number));

  const made: { spaceId?: string; agentId?: string } = {};
  try {
    const spaceId = body.space_id ?? (made.spaceId = (await insertSpace(db, body.space!.name)).id);
    const agentId = body.agent_id ?? (made.agentId = (await insertAgent(db, { spaceId, name: body.agent!.name })).id);
    const view = await setup(env, db, { spaceId, agentId, dispatchMode: body.dispatch_mode ?? "message", messagingServiceSid: body.config.messaging_service_sid ?? null, config });
    made.spaceId = made.agentId = undefined;
    return view;
  } finally {
    if (made.spaceId || made.agentId) await removeNewOwners(db, made).catch((err: unknown) => console.error("could not remove the refused channel's new space/agent", err));
  }
}

type Setup = { spaceId: string; agentId: string; dispatchMode: "message" | "signal"; messagingServiceSid: string | null; config: TwilioConfig };

async function setup(env: Env, db: Db, c: Setup): Promise<ChannelView> {
  const id = await newChannelId(required(env, "ENCRYPTION_KEY"));
  const stub = channelStub(env, id);
  const { account_sid: accountSid, auth_token: authToken, from_number: fromNumber } = c.config;
  const input = { id, spaceId: c.spaceId, agentId: c.agentId, accountSid, authToken, fromNumber, messagingServiceSid: c.messagingServiceSid, dispatchMode: c.dispatchMode };
  // Handles are allocated optimistically; a concurrent create that took the same one makes us pick again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await stub.setup(input, await nextHandle(db));
    if (result.ok) return result.value;
    if (result.error.code !== "conflict") unwrap(result);
  }
  throw new AppError(409, "conflict", "Could not allocate a channel handle; try again.");
}
