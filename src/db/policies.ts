// The user policy text, versioned: saving appends a version, the newest is in force (version 0 = none saved).
import { and, desc, isNull, max } from "drizzle-orm";
import type { Db } from "./client";
import { policyVersions, watchIndex } from "./schema";

export interface PolicySet {
  version: number;
  text: string;
  updatedAt: number | null;
}

export async function currentPolicy(db: Db): Promise<PolicySet> {
  const row = await db.select().from(policyVersions).orderBy(desc(policyVersions.version)).limit(1).get();
  return row ? { version: row.version, text: row.text, updatedAt: row.createdAt } : { version: 0, text: "", updatedAt: null };
}

export async function savePolicy(db: Db, text: string): Promise<PolicySet> {
  const row = await db.insert(policyVersions).values({ text, createdAt: Date.now() }).returning().get();
  return { version: row.version, text: row.text, updatedAt: row.createdAt };
}

/**
 * Until when a watch on "any signal-mode channel" may be waiting (0: none), so channels know to ask the hub. A
 * settled one waits no more: counted, one cancelled day-long watch would have every signal offered to the hub all day.
 */
export async function hubWaitUntil(db: Db): Promise<number> {
  const row = await db
    .select({ until: max(watchIndex.expiresAt) })
    .from(watchIndex)
    .where(and(isNull(watchIndex.channelId), isNull(watchIndex.settledAt)))
    .get();
  return row?.until ?? 0;
}
