// Deleting a channel does not wait for its in-flight work (a reply waiting on Twilio, a turn being read from D1, an
// alarm). The object fences itself first; every path that writes after an await checks the fence before it writes,
// so nothing lands in D1 for a deleted channel and nothing touches the storage deleteAll() wiped. A path that finds
// the fence up ends with the tagged outcome `channel_removed`, which the Queue consumer acks.

/** Thrown by `check()` inside the object's desks; the object's RPC methods turn it into `channelRemoved`. */
export class ChannelRemoved extends Error {
  override name = "ChannelRemoved";
  constructor() {
    super("the channel was deleted while this was in flight");
  }
}

export const channelRemoved = { status: "channel_removed" } as const;
export type ChannelRemovedOutcome = typeof channelRemoved;

export class RemovalFence {
  readonly #sql: SqlStorage;
  /** Kept in memory too: once deleteAll() has run, the row is gone but this instance's in-flight work is not. */
  #removed = false;
  #resolve!: () => void;
  /** Settles when the deletion begins: work that waits (for a download, say) stops waiting then. */
  readonly whenRemoved = new Promise<void>((resolve) => (this.#resolve = resolve));

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS removal (channel_id TEXT PRIMARY KEY, removed_at INTEGER NOT NULL)`);
    // An object evicted midway through a deletion stays fenced until the deletion is retried and completes.
    this.#removed ||= this.#sql.exec(`SELECT 1 FROM removal LIMIT 1`).toArray().length > 0;
    if (this.#removed) this.#resolve();
  }

  /** The deletion has begun: from here on no in-flight path writes. */
  mark(channelId: string, now: number) {
    this.#removed = true;
    this.#resolve();
    this.#sql.exec(`INSERT INTO removal (channel_id, removed_at) VALUES (?, ?) ON CONFLICT (channel_id) DO NOTHING`, channelId, now);
  }

  get removed(): boolean {
    return this.#removed;
  }

  /** Call after an await and before the next write: throws ChannelRemoved once the channel is being deleted. */
  check() {
    if (this.#removed) throw new ChannelRemoved();
  }
}

/** Runs in-flight work; if the channel was deleted meanwhile, answers `removed` instead of the work's exception. */
export async function unlessRemoved<T, R>(work: () => Promise<T>, removed: R): Promise<T | R> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ChannelRemoved) return removed;
    throw err;
  }
}
