// The channel object's record of its media, in its own SQLite: one row per item of an inbound MMS (or per file an
// agent attached to a reply), from "pending" to stored or refused, with the attempts made and when the next one
// is due. Every change is one synchronous statement; the object copies each row to D1 (src/db/media.ts).
import { mediaKey } from "../db/media";
import type { MediaRow } from "../db/schema";

export type MediaStatus = "pending" | "stored" | "too_big" | "refused_type" | "failed";

export type MediaRecord = {
  id: string;
  message_id: string | null;
  /** The turn whose reply an outbound item goes with. */
  turn_id: string | null;
  direction: "inbound" | "outbound";
  idx: number;
  /** Where it is fetched from: Twilio's MediaUrl (inbound), or the URL an agent attached. */
  source_url: string | null;
  content_type: string;
  size: number | null;
  status: MediaStatus;
  reason: string | null;
  attempts: number;
  /** When the next download attempt is due (null: now). */
  next_at: number | null;
  r2_key: string;
  /** Twilio's copy of an inbound item (MEDIA_DELETE_FROM_TWILIO): null while kept, "deleted", or why it was not. */
  twilio_copy: string | null;
  forget_tries: number;
  created_at: number;
  updated_at: number;
};

/** An inbound item's id derives from its message, so handling a webhook again re-records nothing. */
const inboundId = (messageId: string, idx: number) => `med_${messageId.replace(/^msg_/, "")}${idx}`;

export class MediaStore {
  readonly #sql: SqlStorage;
  readonly #channelId: () => string;

  constructor(sql: SqlStorage, channelId: () => string) {
    this.#sql = sql;
    this.#channelId = channelId;
  }

  migrate() {
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS media (id TEXT PRIMARY KEY, message_id TEXT, turn_id TEXT, direction TEXT NOT NULL, idx INTEGER NOT NULL, source_url TEXT,
        content_type TEXT NOT NULL, size INTEGER, status TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER, r2_key TEXT NOT NULL,
        twilio_copy TEXT, forget_tries INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    );
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS media_message ON media (message_id, idx)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS media_turn ON media (turn_id, idx)`);
    this.#sql.exec(`CREATE INDEX IF NOT EXISTS media_created ON media (created_at)`);
  }

  /** Records an inbound message's media as pending (once: a redone message finds them recorded). */
  addInbound(messageId: string, items: { url: string; contentType: string }[], now: number): MediaRecord[] {
    items.forEach((item, idx) => {
      const id = inboundId(messageId, idx);
      this.#sql.exec(
        `INSERT INTO media (id, message_id, direction, idx, source_url, content_type, status, r2_key, created_at, updated_at) VALUES (?, ?, 'inbound', ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        id,
        messageId,
        idx,
        item.url,
        item.contentType,
        mediaKey(this.#channelId(), id),
        now,
        now,
      );
    });
    return this.ofMessage(messageId);
  }

  get channelId(): string {
    return this.#channelId();
  }

  /** Where an item of this channel is kept in R2. */
  keyFor(id: string): string {
    return mediaKey(this.#channelId(), id);
  }

  /** An item attached to a turn's reply, already stored under its own key (outbound; its message is the reply). */
  addOutbound(turnId: string, m: { id: string; sourceUrl: string | null; contentType: string; size: number }, now: number): MediaRecord {
    const idx = this.ofTurn(turnId).length;
    return this.#sql
      .exec<MediaRecord>(
        `INSERT INTO media (id, turn_id, direction, idx, source_url, content_type, size, status, r2_key, created_at, updated_at) VALUES (?, ?, 'outbound', ?, ?, ?, ?, 'stored', ?, ?, ?) RETURNING *`,
        m.id,
        turnId,
        idx,
        m.sourceUrl,
        m.contentType,
        m.size,
        this.keyFor(m.id),
        now,
        now,
      )
      .one();
  }

  /** A turn's attachments, in the order they were attached. */
  ofTurn(turnId: string): MediaRecord[] {
    return this.#sql.exec<MediaRecord>(`SELECT * FROM media WHERE turn_id = ? AND direction = 'outbound' ORDER BY idx`, turnId).toArray();
  }

  /** The reply is recorded: its attachments belong to its message from now on. */
  assignMessage(turnId: string, messageId: string, now: number): MediaRecord[] {
    return this.#sql.exec<MediaRecord>(`UPDATE media SET message_id = ?, updated_at = ? WHERE turn_id = ? AND direction = 'outbound' RETURNING *`, messageId, now, turnId).toArray();
  }

  /** A new run of a turn starts over: attachments of a run whose reply was never recorded are dropped. */
  dropUnsent(turnId: string): MediaRecord[] {
    return this.#sql.exec<MediaRecord>(`DELETE FROM media WHERE turn_id = ? AND direction = 'outbound' AND message_id IS NULL RETURNING *`, turnId).toArray();
  }

  get(id: string): MediaRecord | null {
    return this.#sql.exec<MediaRecord>(`SELECT * FROM media WHERE id = ?`, id).toArray()[0] ?? null;
  }

  ofMessage(messageId: string): MediaRecord[] {
    return this.#sql.exec<MediaRecord>(`SELECT * FROM media WHERE message_id = ? ORDER BY idx`, messageId).toArray();
  }

  /** An attempt begins: counted before the request leaves, so a crash mid-download still counts it. */
  attempt(id: string, now: number): MediaRecord {
    return this.#sql.exec<MediaRecord>(`UPDATE media SET attempts = attempts + 1, next_at = NULL, updated_at = ? WHERE id = ? RETURNING *`, now, id).one();
  }

  /** The item's final state. */
  settle(id: string, s: { status: Exclude<MediaStatus, "pending">; reason: string | null; size?: number; contentType?: string }, now: number): MediaRecord {
    return this.#sql
      .exec<MediaRecord>(
        `UPDATE media SET status = ?, reason = ?, size = coalesce(?, size), content_type = coalesce(?, content_type), next_at = NULL, updated_at = ? WHERE id = ? RETURNING *`,
        s.status,
        s.reason,
        s.size ?? null,
        s.contentType ?? null,
        now,
        id,
      )
      .one();
  }

  /** A transient failure: still pending, with why and when the next attempt is due. */
  retryAt(id: string, reason: string, at: number, now: number): MediaRecord {
    return this.#sql.exec<MediaRecord>(`UPDATE media SET reason = ?, next_at = ?, updated_at = ? WHERE id = ? RETURNING *`, reason, at, now, id).one();
  }

  /** An attempt to delete Twilio's copy: counted, and with its outcome once there is one ("deleted", or why not). */
  forgetAttempt(id: string, outcome: string | null): MediaRecord {
    return this.#sql.exec<MediaRecord>(`UPDATE media SET forget_tries = forget_tries + 1, twilio_copy = coalesce(?, twilio_copy) WHERE id = ? RETURNING *`, outcome, id).one();
  }

  /** Items older than `before`, a batch at a time (the sweep deletes their bytes, then them). */
  olderThan(before: number, limit: number): MediaRecord[] {
    return this.#sql.exec<MediaRecord>(`SELECT * FROM media WHERE created_at < ? ORDER BY created_at LIMIT ?`, before, limit).toArray();
  }

  delete(ids: string[]) {
    for (const id of ids) this.#sql.exec(`DELETE FROM media WHERE id = ?`, id);
  }
}

/** The D1 copy of a record. */
export function d1Copy(channelId: string, r: MediaRecord): MediaRow {
  return {
    id: r.id,
    channelId,
    messageId: r.message_id,
    direction: r.direction,
    idx: r.idx,
    contentType: r.content_type,
    size: r.size,
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
