// Retention for D1 (run by the hourly Cron Trigger): the tables that grow with traffic lose their rows older than
// RETENTION_DAYS, a bounded batch at a time so one run never holds the database long. A row still in use stays: a
// turn not yet closed and its messages, a reply not yet settled with Twilio, a watch that may still wait, and an
// opt-out (STOP must be honoured for as long as the sender does not text START).
// Expired UI sessions go too. Tables that grow only with admin actions (spaces, agents, channels,
// paired_addresses, policy_versions, agent_keys) are not swept: their rows are the configuration.
import { retentionMs, signalRetentionMs } from "../lib/config";

const BATCH = 500;
/** Batches per table per run: at most BATCH × MAX_BATCHES rows each hour; a backlog is worked off over hours. */
const MAX_BATCHES = 20;

const OPEN_TURN = `status NOT IN ('completed', 'failed')`;

/** Each statement deletes up to one batch of expired rows, given (cutoff, BATCH). */
const SWEEPS = {
  turns: `DELETE FROM turns WHERE id IN (SELECT id FROM turns WHERE NOT (${OPEN_TURN}) AND coalesce(completed_at, updated_at) < ?1 LIMIT ?2)`,
  messages: `DELETE FROM messages WHERE id IN (
    SELECT m.id FROM messages m WHERE m.created_at < ?1 AND m.status != 'pending'
      AND NOT EXISTS (SELECT 1 FROM turns t WHERE t.id = m.turn_id AND t.${OPEN_TURN}) LIMIT ?2)`,
  // Media records go with their messages' age; their bytes leave R2 on each channel object's own sweep.
  media: `DELETE FROM media WHERE id IN (SELECT id FROM media WHERE created_at < ?1 LIMIT ?2)`,
  senders: `DELETE FROM senders WHERE rowid IN (SELECT rowid FROM senders WHERE opted_out_at IS NULL AND updated_at < ?1 LIMIT ?2)`,
  signal_watches: `DELETE FROM signal_watches WHERE id IN (SELECT id FROM signal_watches WHERE coalesce(expires_at, created_at) < ?1 LIMIT ?2)`,
  ui_sessions: `DELETE FROM ui_sessions WHERE nonce IN (SELECT nonce FROM ui_sessions WHERE expires_at < ?1 LIMIT ?2)`,
} as const;

export type SweepCounts = Record<keyof typeof SWEEPS, number>;

export async function sweepD1(env: Env, now: number): Promise<SweepCounts> {
  const cutoffs: Record<keyof typeof SWEEPS, number> = {
    turns: now - retentionMs(env),
    messages: now - retentionMs(env),
    media: now - retentionMs(env),
    senders: now - retentionMs(env),
    signal_watches: now - signalRetentionMs(env),
    // Sign-in sweeps these too; without sign-ins they would stay.
    ui_sessions: now,
  };
  const counts = { turns: 0, messages: 0, media: 0, senders: 0, signal_watches: 0, ui_sessions: 0 };
  // Turns first: a message is kept while its turn is open, so closed turns leave before their messages are judged.
  for (const table of ["turns", "messages", "media", "senders", "signal_watches", "ui_sessions"] as const) {
    for (let i = 0; i < MAX_BATCHES; i++) {
      const { meta } = await env.DB.prepare(SWEEPS[table]).bind(cutoffs[table], BATCH).run();
      counts[table] += meta.changes;
      if (meta.changes < BATCH) break;
    }
  }
  return counts;
}
