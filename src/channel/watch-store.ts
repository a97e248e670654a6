// Signal watches and recent signals in the object's SQLite. Written synchronously, so "is this signal still free,
// then give it to that watch" is one step no other request can interleave with.
import { annotate, type Signal, type WatchParams, type WatchSpec } from "../domain/signals";
import type { SignalView, WatchStatus, WatchView } from "../signals/types";

/** How long signals stay available for lookback, and settled watches stay readable. */
export const RETENTION_MS = 24 * 3600_000;

type WatchRow = {
  id: string;
  agent_id: string;
  agent_handle: string | null;
  channel_id: string | null;
  params: string;
  status: WatchStatus;
  signal: string | null;
  created_at: number;
  expires_at: number;
  settled_at: number | null;
};

export function signalView(s: Signal): SignalView {
  return {
    code: s.code,
    codes: s.codes,
    links: s.links,
    categories: s.categories,
    body: s.body,
    from: s.from,
    channel_id: s.channelId,
    received_at: new Date(s.receivedAt).toISOString(),
    message_id: s.id,
    media: (s.media ?? []).map((m) => ({ ...m, url: `/api/media/${m.id}` })),
  };
}

export class WatchStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS watches (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, channel_id TEXT, params TEXT NOT NULL, status TEXT NOT NULL, signal TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, settled_at INTEGER)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS watches_waiting ON watches (status, created_at)`);
    // The agent's handle is what policies name; watches stored before it was recorded have none (never served).
    const columns = this.#sql.exec<{ name: string }>(`PRAGMA table_info(watches)`).toArray();
    if (!columns.some((c) => c.name === "agent_handle")) this.#sql.exec(`ALTER TABLE watches ADD COLUMN agent_handle TEXT`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS signals (id TEXT PRIMARY KEY, json TEXT NOT NULL, received_at INTEGER NOT NULL, consumed_by TEXT)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS signals_received ON signals (received_at)`);
  }

  addWatch(w: { id: string; agentId: string; agentHandle: string; channelId: string | null; params: WatchParams; createdAt: number; expiresAt: number }) {
    this.#sql.exec(
      `INSERT INTO watches (id, agent_id, agent_handle, channel_id, params, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)`,
      w.id,
      w.agentId,
      w.agentHandle,
      w.channelId,
      JSON.stringify(w.params),
      w.createdAt,
      w.expiresAt,
    );
  }

  #row(id: string): WatchRow | undefined {
    return this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE id = ?`, id).toArray()[0];
  }

  view(id: string): WatchView | null {
    const r = this.#row(id);
    return r ? toView(r) : null;
  }

  /** The newest watches, or the newest of one agent's (filtered before the limit, so others' cannot crowd it out). */
  list(limit = 100, agentId?: string): WatchView[] {
    const rows = agentId
      ? this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE agent_id = ? ORDER BY created_at DESC LIMIT ?`, agentId, limit)
      : this.#sql.exec<WatchRow>(`SELECT * FROM watches ORDER BY created_at DESC LIMIT ?`, limit);
    return rows.toArray().map(toView);
  }

  /** Waiting watches as the matcher sees them, oldest first. */
  waiting(): WatchSpec[] {
    return this.#sql
      .exec<WatchRow>(`SELECT * FROM watches WHERE status = 'waiting' ORDER BY created_at, id`)
      .toArray()
      .map(toSpec);
  }

  /** One waiting watch as the matcher sees it (null once it has settled). */
  waitingSpec(id: string): WatchSpec | null {
    const r = this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE id = ? AND status = 'waiting'`, id).toArray()[0];
    return r ? toSpec(r) : null;
  }

  hasWaiting(): boolean {
    return this.#sql.exec(`SELECT 1 FROM watches WHERE status = 'waiting' LIMIT 1`).toArray().length > 0;
  }

  /** Settles a waiting watch; false when it was no longer waiting. */
  settle(id: string, status: Exclude<WatchStatus, "waiting">, signal: Signal | null, now: number): boolean {
    const cursor = this.#sql.exec(
      `UPDATE watches SET status = ?, signal = ?, settled_at = ? WHERE id = ? AND status = 'waiting'`,
      status,
      signal ? JSON.stringify(signal) : null,
      now,
      id,
    );
    return cursor.rowsWritten > 0;
  }

  /** Watches whose time ran out (still waiting at `now`). */
  due(now: number): string[] {
    return this.#sql.exec<{ id: string }>(`SELECT id FROM watches WHERE status = 'waiting' AND expires_at <= ?`, now).toArray().map((r) => r.id);
  }

  nextExpiry(): number | null {
    return this.#sql.exec<{ t: number | null }>(`SELECT min(expires_at) AS t FROM watches WHERE status = 'waiting'`).one().t;
  }

  /** Stores the signal once. If it was already stored, says which watch (if any) it went to. */
  addSignal(s: Signal): { added: true } | { added: false; consumedBy: string | null } {
    const added = this.#sql.exec(`INSERT INTO signals (id, json, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`, s.id, JSON.stringify(s), s.receivedAt).toArray();
    if (added.length) return { added: true };
    const row = this.#sql.exec<{ consumed_by: string | null }>(`SELECT consumed_by FROM signals WHERE id = ?`, s.id).one();
    return { added: false, consumedBy: row.consumed_by };
  }

  /** Signals not yet taken by any watch, received at or after `since`, oldest first. */
  freeSignals(since: number): Signal[] {
    return this.#sql
      .exec<{ json: string }>(`SELECT json FROM signals WHERE consumed_by IS NULL AND received_at >= ? ORDER BY received_at, id`, since)
      .toArray()
      .map((r) => readSignal(r.json));
  }

  /** One stored signal no watch has taken yet. */
  freeSignal(id: string): Signal | null {
    const row = this.#sql.exec<{ json: string }>(`SELECT json FROM signals WHERE id = ? AND consumed_by IS NULL`, id).toArray()[0];
    return row ? readSignal(row.json) : null;
  }

  /** The watch that has a stored signal (null: none yet); undefined when no such signal is stored. */
  consumer(signalId: string): string | null | undefined {
    return this.#sql.exec<{ consumed_by: string | null }>(`SELECT consumed_by FROM signals WHERE id = ?`, signalId).toArray()[0]?.consumed_by;
  }

  /** Gives the signal to `watchId` if no watch has it yet. */
  consume(signalId: string, watchId: string): Signal | null {
    const row = this.#sql.exec<{ json: string }>(`UPDATE signals SET consumed_by = ? WHERE id = ? AND consumed_by IS NULL RETURNING json`, watchId, signalId).toArray()[0];
    return row ? readSignal(row.json) : null;
  }

  /** Frees a signal `watchId` took; false when that watch did not have it. */
  release(signalId: string, watchId: string): boolean {
    return this.#sql.exec(`UPDATE signals SET consumed_by = NULL WHERE id = ? AND consumed_by = ?`, signalId, watchId).rowsWritten > 0;
  }

  /** The storage sweep: signals past the longest lookback, watches settled that long ago (or `keepMs`, if shorter). */
  purge(now: number, keepMs = RETENTION_MS) {
    const keep = Math.min(keepMs, RETENTION_MS);
    this.#sql.exec(`DELETE FROM signals WHERE received_at < ?`, now - keep);
    this.#sql.exec(`DELETE FROM watches WHERE status != 'waiting' AND settled_at < ?`, now - keep);
  }

  /** Whether anything is stored that a sweep would one day delete. */
  isEmpty(): boolean {
    return !this.#sql.exec(`SELECT 1 FROM signals UNION ALL SELECT 1 FROM watches LIMIT 1`).toArray().length;
  }

  delete(id: string) {
    this.#sql.exec(`DELETE FROM watches WHERE id = ?`, id);
  }
}

/** A signal as this store wrote it; one written before signals had categories gets them from its text now. */
function readSignal(json: string): Signal {
  const s = JSON.parse(json) as Signal;
  return Array.isArray(s.categories) ? s : { ...s, categories: annotate({ body: s.body, from: s.from }).categories };
}

function toSpec(r: WatchRow): WatchSpec {
  const p = JSON.parse(r.params) as WatchParams;
  return { id: r.id, agent: r.agent_handle, createdAt: r.created_at, expiresAt: r.expires_at, channelId: r.channel_id, from: p.from, contains: p.contains, regex: p.regex, lookbackS: p.lookbackS };
}

function toView(r: WatchRow): WatchView {
  const p = JSON.parse(r.params) as WatchParams;
  const signal = r.signal ? signalView(readSignal(r.signal)) : undefined;
  return {
    id: r.id,
    agent_id: r.agent_id,
    channel_id: r.channel_id,
    status: r.status,
    ...(signal ? { signal } : {}),
    filters: { from: p.from, contains: p.contains, regex: p.regex, lookback_s: p.lookbackS, timeout_s: p.timeoutS },
    created_at: new Date(r.created_at).toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
    settled_at: r.settled_at ? new Date(r.settled_at).toISOString() : null,
  };
}
