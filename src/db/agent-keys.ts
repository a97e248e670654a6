// Per-agent API keys in D1. A key is shown once when it is made; only its SHA-256 is stored, so a leaked database
// does not leak working keys. The prefix is kept in clear so a person can tell keys apart in a list.
import { and, asc, eq, isNull } from "drizzle-orm";
import { b64url, newId, sha256Hex } from "../lib/crypto";
import type { Db } from "./client";
import { agentKeys } from "./schema";

export const KEY_PREFIX = "tgk_";
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;

export type AgentKeyRow = typeof agentKeys.$inferSelect;

export const agentKeyView = (k: AgentKeyRow) => ({
  id: k.id,
  agent_id: k.agentId,
  prefix: k.prefix,
  name: k.name,
  created_at: new Date(k.createdAt).toISOString(),
  revoked_at: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
});

/** Makes a key for the agent: `tgk_` + 43 base64url characters (256 random bits). The plaintext is returned once. */
export async function createAgentKey(db: Db, agentId: string, name: string | null): Promise<{ row: AgentKeyRow; key: string }> {
  const key = KEY_PREFIX + b64url(crypto.getRandomValues(new Uint8Array(32)));
  const row = await db
    .insert(agentKeys)
    .values({ id: newId("key"), agentId, hash: await sha256Hex(key), prefix: key.slice(0, SHOWN_PREFIX_LENGTH), name, createdAt: Date.now() })
    .returning()
    .get();
  return { row, key };
}

export async function listAgentKeys(db: Db, agentId: string): Promise<AgentKeyRow[]> {
  return db.select().from(agentKeys).where(eq(agentKeys.agentId, agentId)).orderBy(asc(agentKeys.createdAt), asc(agentKeys.id)).all();
}

/** Revokes the key (once: a second revoke keeps the first time). Undefined when the agent has no such key. */
export async function revokeAgentKey(db: Db, agentId: string, keyId: string): Promise<AgentKeyRow | undefined> {
  const mine = and(eq(agentKeys.id, keyId), eq(agentKeys.agentId, agentId));
  const revoked = await db.update(agentKeys).set({ revokedAt: Date.now() }).where(and(mine, isNull(agentKeys.revokedAt))).returning().get();
  return revoked ?? db.select().from(agentKeys).where(mine).get();
}

/**
 * The agent an unrevoked key belongs to, and the key's id. The lookup is by the key's hash, so no secret is compared here: what an
 * index lookup's timing could reveal is about a SHA-256 the caller cannot steer, not about the key.
 */
export async function agentForKey(db: Db, key: string): Promise<{ agentId: string; keyId: string } | null> {
  const row = await db
    .select({ agentId: agentKeys.agentId, keyId: agentKeys.id })
    .from(agentKeys)
    .where(and(eq(agentKeys.hash, await sha256Hex(key)), isNull(agentKeys.revokedAt)))
    .get();
  return row ?? null;
}
