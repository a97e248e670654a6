// Read-only D1 queries behind the settings pages. Writes never happen here: the pages' JavaScript calls /api, so
// the browser goes through the same validation and the same channel object as any API client.
import { asc } from "drizzle-orm";
import { toChannelView, type ChannelView } from "../channel/view";
import { getChannel, listAllPaired, listChannels, listMessages, listPaired } from "../db/channels";
import { createDb } from "../db/client";
import { messageView, messageViews } from "../db/messages";
import { agents, channels, spaces } from "../db/schema";
import { externalUrl, twilioDefaults } from "../lib/config";

export type MessageView = ReturnType<typeof messageView>;
export interface SpaceOption {
  id: string;
  name: string;
}
export interface AgentOption {
  id: string;
  name: string;
  space_id: string;
  handle: string;
}

const ext = (env: Env) => {
  const e = externalUrl(env);
  return e.ok ? e.url : null;
};

async function options(env: Env): Promise<{ spaces: SpaceOption[]; agents: AgentOption[] }> {
  const db = createDb(env.DB);
  const [s, a] = await Promise.all([
    db.select({ id: spaces.id, name: spaces.name }).from(spaces).orderBy(asc(spaces.createdAt)).all(),
    db.select({ id: agents.id, name: agents.name, space_id: agents.spaceId, handle: agents.handle }).from(agents).orderBy(asc(agents.createdAt)).all(),
  ]);
  return { spaces: s, agents: a };
}

export async function channelsPage(env: Env): Promise<{ channels: ChannelView[]; agents: AgentOption[] }> {
  const db = createDb(env.DB);
  const [rows, paired, opts] = await Promise.all([listChannels(db), listAllPaired(db), options(env)]);
  const base = ext(env);
  return { channels: rows.map((r) => toChannelView(r, paired.filter((p) => p.channelId === r.id), base)), agents: opts.agents };
}

export interface NewChannelData {
  spaces: SpaceOption[];
  agents: AgentOption[];
  /** Prefills from VOICE_TWILIO_*; the auth token itself never leaves the worker, only whether one is set. */
  defaults: { account_sid: string; from_number: string; has_auth_token: boolean };
}

export async function newChannelPage(env: Env): Promise<NewChannelData> {
  const d = twilioDefaults(env);
  return { ...(await options(env)), defaults: { account_sid: d.account_sid ?? "", from_number: d.from_number ?? "", has_auth_token: !!d.auth_token } };
}

export interface ChannelPageData {
  channel: ChannelView;
  agent: AgentOption | undefined;
  messages: MessageView[];
}

export async function channelPage(env: Env, id: string): Promise<ChannelPageData | null> {
  const db = createDb(env.DB);
  const row = await getChannel(db, id);
  if (!row) return null;
  const [paired, msgs, opts] = await Promise.all([listPaired(db, id), listMessages(db, id, 50), options(env)]);
  return {
    channel: toChannelView(row, paired, ext(env)),
    agent: opts.agents.find((a) => a.id === row.agentId),
    messages: await messageViews(db, msgs),
  };
}

export interface PoliciesPageData {
  agents: AgentOption[];
  channels: { handle: string; from_number: string }[];
}

/** The handles the policy tester offers (and the example policy names). */
export async function policiesPage(env: Env): Promise<PoliciesPageData> {
  const db = createDb(env.DB);
  const [opts, chans] = await Promise.all([
    options(env),
    db.select({ handle: channels.handle, from_number: channels.fromNumber }).from(channels).orderBy(asc(channels.createdAt)).all(),
  ]);
  return { agents: opts.agents, channels: chans };
}
