// Group commit: writes that arrive while a commit is in flight wait for it to finish and then go together, as one
// commit. An idle writer's write starts at once (no timer, no added latency); under a burst of inbound SMS on one
// channel, N messages cost one database round trip instead of N. Each caller still learns about its own write:
// when a shared commit fails, every write in it is retried alone, so one bad write cannot fail its neighbours.

export class GroupCommit<T> {
  readonly #commit: (items: T[]) => Promise<unknown>;
  #queue: { items: T[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #draining = false;

  /** `commit` writes its items atomically (e.g. a D1 batch, which is one transaction). */
  constructor(commit: (items: T[]) => Promise<unknown>) {
    this.#commit = commit;
  }

  /** Resolves once `items` are committed (together with whatever else was waiting), or rejects with their error. */
  write(items: T[]): Promise<void> {
    if (!items.length) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ items, resolve, reject }));
    if (!this.#draining) void this.#drain();
    return done;
  }

  async #drain() {
    this.#draining = true;
    try {
      while (this.#queue.length) {
        const group = this.#queue.splice(0);
        try {
          await this.#commit(group.flatMap((w) => w.items));
          for (const w of group) w.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const w of group) {
            try {
              await this.#commit(w.items);
              w.resolve();
            } catch (e) {
              w.reject(e);
            }
          }
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
