// The D1 index of signal watches (where each lives, whose it is) and the limits on pending ones. A watch is
// pending while it has neither settled nor expired. The limit check and the insert are one statement, which D1
// runs alone, so watches created at the same moment cannot together pass a limit.

export interface WatchLimits {
  perAgent: number;
  perKey: number;
}

export interface NewWatchRow {
  id: string;
  agentId: string;
  keyId: string | null;
  channelId: string | null;
  createdAt: number;
  expiresAt: number;
}

/** Inserts the watch unless its agent (or key) already has `limits` pending; says which limit refused it. */
export async function insertWatchWithinLimits(db: D1Database, w: NewWatchRow, limits: WatchLimits): Promise<{ ok: true } | { ok: false; limit: "agent" | "key" }> {
  const pending = `settled_at IS NULL AND expires_at > ?5`;
  const inserted = await db
    .prepare(
      `INSERT INTO signal_watches (id, agent_id, key_id, channel_id, created_at, expires_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6
       WHERE (SELECT count(*) FROM signal_watches WHERE agent_id = ?2 AND ${pending}) < ?7
         AND (?3 IS NULL OR (SELECT count(*) FROM signal_watches WHERE key_id = ?3 AND ${pending}) < ?8)
       RETURNING id`,
    )
    .bind(w.id, w.agentId, w.keyId, w.channelId, w.createdAt, w.expiresAt, limits.perAgent, limits.perKey)
    .first();
  if (inserted) return { ok: true };
  const agentFull = await db.prepare(`SELECT count(*) AS n FROM signal_watches WHERE agent_id = ?1 AND settled_at IS NULL AND expires_at > ?2`).bind(w.agentId, w.createdAt).first<number>("n");
  return { ok: false, limit: (agentFull ?? 0) >= limits.perAgent ? "agent" : "key" };
}

/** The watch matched or was cancelled: it no longer counts as pending. */
export function markWatchSettled(db: D1Database, id: string, at: number): Promise<unknown> {
  return db.prepare(`UPDATE signal_watches SET settled_at = ? WHERE id = ? AND settled_at IS NULL`).bind(at, id).run();
}

/** Whether any of these watches is the agent's. */
export async function anyWatchOf(db: D1Database, ids: string[], agentId: string): Promise<boolean> {
  if (!ids.length) return false;
  const found = await db.prepare(`SELECT 1 AS found FROM signal_watches WHERE agent_id = ? AND id IN (${ids.map(() => "?").join(", ")}) LIMIT 1`).bind(agentId, ...ids).first<number>("found");
  return found !== null;
}

/** A watch whose object refused it (its channel vanished meanwhile) is forgotten again. */
export function deleteWatchRow(db: D1Database, id: string): Promise<unknown> {
  return db.prepare(`DELETE FROM signal_watches WHERE id = ?`).bind(id).run();
}

/** The pending watches made with one agent key, and where each lives. */
export async function pendingWatchesOfKey(db: D1Database, keyId: string, now: number): Promise<{ id: string; channelId: string | null }[]> {
  const rows = await db
    .prepare(`SELECT id, channel_id AS channelId FROM signal_watches WHERE key_id = ? AND settled_at IS NULL AND expires_at > ?`)
    .bind(keyId, now)
    .all<{ id: string; channelId: string | null }>();
  return rows.results;
}
