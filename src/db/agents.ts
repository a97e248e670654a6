// Agent and space rows in D1: created by the admin API and, together with a channel, by "Add channel"; a space
// and agent made for a channel that was then refused are removed again, so a refused form leaves nothing behind.
import { and, eq, notExists } from "drizzle-orm";
import { newId } from "../lib/crypto";
import { conflict } from "../lib/errors";
import type { Db } from "./client";
import { agents, channels, spaces, type AgentRow } from "./schema";

const slug = (name: string) =>
  name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "agent";

export async function insertSpace(db: Db, name: string) {
  return db.insert(spaces).values({ id: newId("sp"), name, createdAt: Date.now() }).returning().get();
}

export interface NewAgent {
  spaceId: string;
  name: string;
  handle?: string;
  instructions?: string;
  model?: string;
}

/** Inserts an agent; without a handle one is derived from the name: base, base-2 … base-5, then a random suffix. */
export async function insertAgent(db: Db, a: NewAgent): Promise<AgentRow> {
  const base = a.handle ?? slug(a.name);
  for (let i = 1; i <= 10; i++) {
    const handle = i === 1 ? base : i <= 5 ? `${base}-${i}` : `${base}-${newId("x").slice(2, 8)}`;
    const row = await db
      .insert(agents)
      .values({ id: newId("ag"), spaceId: a.spaceId, name: a.name, handle, instructions: a.instructions ?? "", model: a.model ?? null, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning()
      .get();
    if (row) return row;
    if (a.handle) throw conflict(`An agent with handle "${handle}" already exists.`, { field: "handle" });
  }
  throw conflict(`Could not find a free handle based on "${base}".`);
}

/**
 * Removes what a refused "Add channel" created: the agent first (it belongs to the space). Only while nothing uses
 * them: a channel whose setup failed after its row was written keeps its space and agent.
 */
export async function removeNewOwners(db: Db, made: { spaceId?: string; agentId?: string }) {
  const { agentId, spaceId } = made;
  if (agentId) await db.delete(agents).where(and(eq(agents.id, agentId), notExists(db.select({ id: channels.id }).from(channels).where(eq(channels.agentId, agentId)))));
  if (spaceId) {
    const unused = and(notExists(db.select({ id: agents.id }).from(agents).where(eq(agents.spaceId, spaceId))), notExists(db.select({ id: channels.id }).from(channels).where(eq(channels.spaceId, spaceId))));
    await db.delete(spaces).where(and(eq(spaces.id, spaceId), unused));
  }
}
