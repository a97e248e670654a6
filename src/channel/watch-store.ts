// Signal watches, their matches and recent signals in the object's SQLite. Written synchronously, so "is this
// signal still free, then give it to that watch" is one step no other request can interleave with.
import { annotate, DEFAULT_MAX_EVALUATIONS, storedParams, type Signal, type WatchParams, type WatchSpec } from "../domain/signals";
import type { JudgeTask } from "../domain/signals/judge";
import type { MatchView, SignalView, WatchStatus, WatchView } from "../signals/types";
import { EvaluationStore } from "./evaluation-store";

/** How long signals stay available for lookback, and settled watches stay readable. */
export const RETENTION_MS = 24 * 3600_000;
/** Matches one read returns (a cursor pages on). */
export const MATCH_PAGE = 100;

/** The SMS conversation a watch resumes when it settles: a channel and the address its agent is texting with. */
export interface Conversation {
  channelId: string;
  sender: string;
}

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
  mode: string | null;
  match_count: number;
  conversation: string | null;
};

export function signalView(s: Signal): SignalView {
  const view: SignalView = {
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
  return s.result === undefined ? view : { ...view, result: s.result };
}

export class WatchStore {
  readonly #sql: SqlStorage;
  /** What the judges of watches with instructions decided, candidate by candidate. */
  readonly evaluations: EvaluationStore;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.evaluations = new EvaluationStore(sql);
  }

  migrate() {
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS watches (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, channel_id TEXT, params TEXT NOT NULL, status TEXT NOT NULL, signal TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, settled_at INTEGER)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS watches_waiting ON watches (status, created_at)`);
    // The agent's handle is what policies name; watches stored before it was recorded have none (never served).
    const columns = this.#sql.exec<{ name: string }>(`PRAGMA table_info(watches)`).toArray();
    for (const [name, type] of [["agent_handle", "TEXT"], ["mode", "TEXT"], ["match_count", "INTEGER NOT NULL DEFAULT 0"], ["conversation", "TEXT"]]) {
      if (!columns.some((c) => c.name === name)) this.#sql.exec(`ALTER TABLE watches ADD COLUMN ${name} ${type}`);
    }
    // A continuous watch's matches, in the order it saw them; a signal is recorded once per watch.
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS watch_matches (watch_id TEXT NOT NULL, seq INTEGER NOT NULL, signal_id TEXT NOT NULL, signal TEXT NOT NULL, matched_at INTEGER NOT NULL, PRIMARY KEY (watch_id, seq), UNIQUE (watch_id, signal_id))`,
    );
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS signals (id TEXT PRIMARY KEY, json TEXT NOT NULL, received_at INTEGER NOT NULL, consumed_by TEXT)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS signals_received ON signals (received_at)`);
    this.evaluations.migrate();
  }

  addWatch(w: { id: string; agentId: string; agentHandle: string; channelId: string | null; params: WatchParams; conversation?: Conversation | null; createdAt: number; expiresAt: number }) {
    this.#sql.exec(
      `INSERT INTO watches (id, agent_id, agent_handle, channel_id, params, status, created_at, expires_at, mode, conversation) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)`,
      w.id,
      w.agentId,
      w.agentHandle,
      w.channelId,
      JSON.stringify(w.params),
      w.createdAt,
      w.expiresAt,
      w.params.mode,
      w.conversation ? JSON.stringify(w.conversation) : null,
    );
  }

  /** What settling or matching the watch must pass on: its agent, title, mode, and the conversation it resumes. */
  binding(id: string): { agentId: string; title: string | null; mode: "once" | "continuous"; maxMatches: number | null; matchCount: number; conversation: Conversation | null } | null {
    const r = this.#row(id);
    if (!r) return null;
    const p = storedParams(r.params);
    return { agentId: r.agent_id, title: p.title, mode: p.mode, maxMatches: p.maxMatches, matchCount: r.match_count, conversation: r.conversation ? (JSON.parse(r.conversation) as Conversation) : null };
  }

  #row(id: string): WatchRow | undefined {
    return this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE id = ?`, id).toArray()[0];
  }

  /** What the judge of a waiting watch with instructions needs: its agent, its task and its budget (null otherwise). */
  judgeTask(id: string): { agentId: string; task: JudgeTask; maxEvaluations: number } | null {
    const r = this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE id = ? AND status = 'waiting'`, id).toArray()[0];
    const p = r ? storedParams(r.params) : null;
    if (!r || !p?.instructions) return null;
    return { agentId: r.agent_id, task: { instructions: p.instructions, resultSchema: p.resultSchema }, maxEvaluations: p.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS };
  }

  /** The watch as the API shows it: with its judge's evaluations when it has instructions. */
  #view(r: WatchRow): WatchView {
    const p = storedParams(r.params);
    const view = toView(r, p);
    if (!p.instructions) return view;
    const max = p.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
    const evaluations = this.evaluations.list(r.id);
    return { ...view, judge: { max_evaluations: max, evaluation_count: evaluations.length, stopped: evaluations.length >= max, evaluations } };
  }

  /** The watch; for a continuous one, with its matches after `after` (a page of them). */
  view(id: string, after?: number): WatchView | null {
    const r = this.#row(id);
    if (!r) return null;
    const view = this.#view(r);
    return after !== undefined && view.mode === "continuous" ? { ...view, matches: this.matchesAfter(id, after) } : view;
  }

  matchesAfter(id: string, after: number, limit = MATCH_PAGE): MatchView[] {
    return this.#sql
      .exec<{ seq: number; signal: string; matched_at: number }>(`SELECT seq, signal, matched_at FROM watch_matches WHERE watch_id = ? AND seq > ? ORDER BY seq LIMIT ?`, id, after, limit)
      .toArray()
      .map((m) => ({ seq: m.seq, signal: signalView(readSignal(m.signal)), matched_at: new Date(m.matched_at).toISOString() }));
  }

  /**
   * Records the signal as the continuous watch's next match, once: null when the watch is not waiting, is full, or
   * already has it. `last`: this match is its max_matches-th, so the watch is complete.
   */
  recordMatch(id: string, signal: Signal, maxMatches: number, now: number): { seq: number; last: boolean } | null {
    const row = this.#sql
      .exec<{ match_count: number }>(`UPDATE watches SET match_count = match_count + 1 WHERE id = ? AND status = 'waiting' AND mode = 'continuous' AND match_count < ? RETURNING match_count`, id, maxMatches)
      .toArray()[0];
    if (!row) return null;
    const added = this.#sql
      .exec(`INSERT INTO watch_matches (watch_id, seq, signal_id, signal, matched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`, id, row.match_count, signal.id, JSON.stringify(signal), now)
      .toArray();
    if (!added.length) {
      this.#sql.exec(`UPDATE watches SET match_count = match_count - 1 WHERE id = ?`, id);
      return null;
    }
    return { seq: row.match_count, last: row.match_count >= maxMatches };
  }

  /** The newest watches, or the newest of one agent's (filtered before the limit, so others' cannot crowd it out). */
  list(limit = 100, agentId?: string): WatchView[] {
    const rows = agentId
      ? this.#sql.exec<WatchRow>(`SELECT * FROM watches WHERE agent_id = ? ORDER BY created_at DESC LIMIT ?`, agentId, limit)
      : this.#sql.exec<WatchRow>(`SELECT * FROM watches ORDER BY created_at DESC LIMIT ?`, limit);
    return rows.toArray().map((r) => this.#view(r));
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

  /** Every stored signal received at or after `since`, taken or not (what continuous watches look back on). */
  signalsSince(since: number): Signal[] {
    return this.#sql
      .exec<{ json: string; consumed_by: string | null }>(`SELECT json, consumed_by FROM signals WHERE received_at >= ? ORDER BY received_at, id`, since)
      .toArray()
      .map((r) => ({ ...readSignal(r.json), consumedBy: r.consumed_by }));
  }

  /** One stored signal, taken or not (and by which once-watch). */
  signal(id: string): Signal | null {
    const row = this.#sql.exec<{ json: string; consumed_by: string | null }>(`SELECT json, consumed_by FROM signals WHERE id = ?`, id).toArray()[0];
    return row ? { ...readSignal(row.json), consumedBy: row.consumed_by } : null;
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

  /** The continuous watches here that recorded the signal. */
  observers(signalId: string): string[] {
    return this.#sql.exec<{ watch_id: string }>(`SELECT watch_id FROM watch_matches WHERE signal_id = ?`, signalId).toArray().map((r) => r.watch_id);
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
    this.#sql.exec(`DELETE FROM watch_matches WHERE watch_id NOT IN (SELECT id FROM watches)`);
    this.evaluations.purgeOrphans();
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
  const p = storedParams(r.params);
  return {
    id: r.id,
    agent: r.agent_handle,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    channelId: r.channel_id,
    channelIds: p.channelIds,
    from: p.from,
    categories: p.categories,
    contains: p.contains,
    regex: p.regex,
    lookbackS: p.lookbackS,
    mode: p.mode,
    instructions: p.instructions,
  };
}

function toView(r: WatchRow, p: WatchParams = storedParams(r.params)): WatchView {
  const signal = r.signal ? signalView(readSignal(r.signal)) : undefined;
  return {
    id: r.id,
    agent_id: r.agent_id,
    channel_id: r.channel_id,
    channel_ids: p.channelIds,
    title: p.title,
    mode: p.mode,
    status: r.status,
    ...(signal ? { signal } : {}),
    match_count: r.match_count ?? 0,
    max_matches: p.maxMatches,
    resumes: r.conversation !== null,
    filters: {
      from: p.from && p.from.length === 1 ? p.from[0]! : p.from,
      categories: p.categories,
      contains: p.contains,
      regex: p.regex,
      lookback_s: p.lookbackS,
      timeout_s: p.timeoutS,
      instructions: p.instructions,
    },
    created_at: new Date(r.created_at).toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
    settled_at: r.settled_at ? new Date(r.settled_at).toISOString() : null,
  };
}
