// Inbound media, downloaded after the webhook is answered: each item of an MMS is recorded as pending while the
// webhook is handled, and fetched on the object's schedule (due at once, so within moments) from Twilio — Basic
// auth, redirects checked hop by hop (src/domain/media) — into R2. A transient failure (the network, Twilio's 5xx,
// R2) is retried with backoff up to MAX_ATTEMPTS; a refusal is recorded with its reason. At most DOWNLOADS_AT_ONCE
// run at once per object, each buffering its item's bytes. The message itself never waits for its media: its turn
// waits a little (waitFor), then runs with what is stored by then.
import { fetchMedia, parseAllowedUrls, refuseMediaHop, sendsCredentials, type Fetched, type UrlPrefix } from "../domain/media";
import { mediaCopy } from "../db/media";
import { clock } from "../lib/clock";
import { mediaDeleteFromTwilio, twilioApiBase } from "../lib/config";
import { attachMedia, type AttachGuard, type AttachOutcome, type AttachRequest } from "./attachments";
import { d1Copy, MediaStore, type MediaRecord } from "./media-store";
import type { RemovalFence } from "./removal";
import type { Schedule } from "./schedule";
import type { ChannelState } from "./state";

export const MEDIA_FETCH = "media_fetch";
/** Deleting Twilio's copy of a stored inbound item (MEDIA_DELETE_FROM_TWILIO). */
export const MEDIA_FORGET = "media_forget";
const FORGET_TRIES = 5;
/** Attempts per item before it is given up as failed; the waits between them (≈ 45 minutes in all). */
export const MAX_ATTEMPTS = 6;
const BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000];
/** Downloads one object runs at once: each holds its item's bytes (up to 5 MB) until they are in R2. */
export const DOWNLOADS_AT_ONCE = 2;

/** A counting semaphore: at most `size` of the work given to `run` is under way at once; the rest waits its turn. */
class Slots {
  readonly #waiting: (() => void)[] = [];
  #free: number;

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot take it in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

export interface MediaDeps {
  store: MediaStore;
  schedule: Schedule;
  bucket: Pick<R2Bucket, "get" | "put" | "delete" | "list">;
  /** The channel's Twilio credentials and API base (TWILIO_API_BASE). */
  twilio: () => Promise<{ accountSid: string; authToken: string; apiBase: string }>;
  /** Writes a record's current state to D1. */
  copy: (r: MediaRecord) => Promise<unknown>;
  /** MEDIA_ALLOWED_URLS, parsed: where attach_media may fetch from. */
  allowed: () => UrlPrefix[];
  /** MEDIA_DELETE_FROM_TWILIO: once an inbound item is stored here, delete Twilio's copy. */
  forgetAtTwilio: () => boolean;
  /** The removal fence is up (the channel is being deleted): a download that comes back then stores nothing. */
  removed: () => boolean;
  now: () => number;
  fetch?: typeof fetch;
}

export class MediaDesk {
  readonly #d: MediaDeps;
  /** Downloads under way, shared by the schedule and a turn waiting for its pictures. */
  readonly #inflight = new Map<string, Promise<number | null>>();
  /** All of an MMS's items (up to 10) are asked for at once by its turn: the slots bound the memory they take. */
  readonly #slots = new Slots(DOWNLOADS_AT_ONCE);

  constructor(deps: MediaDeps) {
    this.#d = deps;
  }

  get store(): MediaStore {
    return this.#d.store;
  }

  /** Records an inbound message's media (pending) and puts each download on the schedule, due now. */
  async receive(channelId: string, messageId: string, items: { url: string; contentType: string }[], now: number): Promise<MediaRecord[]> {
    if (!items.length) return [];
    const records = this.#d.store.addInbound(messageId, items, now);
    for (const r of records) if (r.status === "pending") await this.#d.schedule.schedule(MEDIA_FETCH, r.id, r.next_at ?? now, channelId);
    return records;
  }

  /** One download attempt, if one is due: the schedule's handler. Returns when to try again, or null when settled. */
  download(id: string): Promise<number | null> {
    let work = this.#inflight.get(id);
    if (!work) {
      work = this.#slots.run(() => this.#download(id)).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, work);
    }
    return work;
  }

  /**
   * A turn's wait for its message's media: downloads that are due run now (or are joined if under way), for at most
   * `waitMs`; then the records as they stand. Items waiting out a backoff are not waited for.
   */
  /** `fence`: the channel object's removal fence; its deletion ends the wait (and ChannelRemoved is thrown). */
  async waitFor(messageId: string, waitMs: number, fence?: Pick<RemovalFence, "whenRemoved" | "check">): Promise<MediaRecord[]> {
    const now = this.#d.now();
    const due = this.#d.store.ofMessage(messageId).filter((r) => r.status === "pending" && (r.next_at ?? 0) <= now);
    if (due.length) {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([Promise.allSettled(due.map((r) => this.download(r.id))), timeout, ...(fence ? [fence.whenRemoved] : [])]);
      if (timer !== null) clearTimeout(timer);
      fence?.check();
    }
    return this.#d.store.ofMessage(messageId);
  }

  async #download(id: string): Promise<number | null> {
    const { store, copy } = this.#d;
    // A download that waited for a slot while the channel was deleted: its records are gone.
    if (this.#d.removed()) return null;
    const rec = store.get(id);
    if (!rec) return null;
    if (rec.status !== "pending" || !rec.source_url) {
      // Settled, but its copy may not have reached D1 (the write failed and the schedule ran us again).
      await copy(rec);
      return null;
    }
    if (rec.next_at !== null && rec.next_at > this.#d.now()) return rec.next_at;
    // Attempts are counted before the request leaves; reaching the limit here means the last one never came back
    // (the object was reset during it). Without this an item that always resets the object is tried forever.
    if (rec.attempts >= MAX_ATTEMPTS) {
      await copy(store.settle(id, { status: "failed", reason: `gave up after ${rec.attempts} attempts: the download never finished` }, this.#d.now()));
      return null;
    }
    store.attempt(id, this.#d.now());
    const twilio = await this.#d.twilio();
    if (this.#d.removed()) return null;
    const auth = `Basic ${btoa(`${twilio.accountSid}:${twilio.authToken}`)}`;
    const got: Fetched = await fetchMedia(rec.source_url, rec.content_type, {
      refuse: (url) => refuseMediaHop(url, twilio.apiBase),
      headers: (url): Record<string, string> => (sendsCredentials(url, twilio.apiBase) ? { authorization: auth } : {}),
      fetch: this.#d.fetch,
    });
    // The channel may have been deleted while Twilio answered: its records and bytes are gone or going.
    if (this.#d.removed()) return null;
    if (got.status === "transient") return this.#later(rec, got.reason);
    if (got.status !== "ok") {
      await copy(store.settle(id, { status: got.status, reason: got.reason }, this.#d.now()));
      return null;
    }
    const putFailed = await this.#d.bucket.put(rec.r2_key, got.bytes, { httpMetadata: { contentType: got.contentType } }).then(
      () => null,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (this.#d.removed()) {
      // Deleted during the put: the deletion may have listed the channel's bytes before these landed.
      await this.#d.bucket.delete(rec.r2_key);
      return null;
    }
    if (putFailed !== null) return this.#later(rec, `could not be stored: ${putFailed}`);
    const stored = store.settle(id, { status: "stored", reason: null, size: got.bytes.byteLength, contentType: got.contentType }, this.#d.now());
    // Put on the schedule in the step that records it stored: a later run finds it settled and only copies it.
    const forget = this.#d.forgetAtTwilio() ? this.#d.schedule.schedule(MEDIA_FORGET, id, this.#d.now(), store.channelId) : null;
    await Promise.all([copy(stored), forget]);
    return null;
  }

  /**
   * Deletes Twilio's copy of a stored inbound item: DELETE on its Media resource, with the credentials, and only on
   * Twilio's API host (or the configured API base). Gone already (404) counts as deleted; a transient failure is
   * tried again later, up to FORGET_TRIES times; the outcome is kept on the record.
   */
  async forget(id: string): Promise<number | null> {
    const { store } = this.#d;
    const rec = store.get(id);
    if (!rec || rec.direction !== "inbound" || rec.status !== "stored" || !rec.source_url || rec.twilio_copy) return null;
    const twilio = await this.#d.twilio();
    const url = new URL(`${rec.source_url}.json`);
    if (!sendsCredentials(url, twilio.apiBase)) {
      store.forgetAttempt(id, `not deleted: ${url.origin} is not Twilio's API`);
      return null;
    }
    const doFetch = this.#d.fetch ?? ((input, init) => fetch(input, init));
    const headers = { authorization: `Basic ${btoa(`${twilio.accountSid}:${twilio.authToken}`)}` };
    const status = await doFetch(url.href, { method: "DELETE", headers, redirect: "manual", signal: AbortSignal.timeout(10_000) }).then(
      async (res) => (await res.body?.cancel(), res.status),
      () => 0,
    );
    const transient = status === 0 || status === 429 || status >= 500;
    const last = rec.forget_tries + 1 >= FORGET_TRIES;
    const outcome = status === 204 || status === 200 || status === 404 ? "deleted" : transient && !last ? null : `not deleted: ${status ? `HTTP ${status}` : "Twilio could not be reached"}`;
    store.forgetAttempt(id, outcome);
    return outcome ? null : this.#d.now() + BACKOFF_MS[rec.forget_tries]!;
  }

  /** A transient failure: tried again after a backoff, or given up after the last attempt. */
  async #later(rec: MediaRecord, reason: string): Promise<number | null> {
    const { store, copy } = this.#d;
    const now = this.#d.now();
    const attempts = rec.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      await copy(store.settle(rec.id, { status: "failed", reason: `gave up after ${attempts} attempts: ${reason}` }, now));
      return null;
    }
    const at = now + BACKOFF_MS[attempts - 1]!;
    await copy(store.retryAt(rec.id, reason, at, now));
    return at;
  }

  /** attach_media for a turn whose reply is not recorded yet (the turn desk checks that). */
  attach(turnId: string, req: AttachRequest, guard?: AttachGuard): Promise<AttachOutcome> {
    const { store, bucket, copy, allowed, now, fetch } = this.#d;
    return attachMedia({ store, bucket, copy, allowed, now, fetch }, turnId, req, guard);
  }

  /** A turn runs again from the start: what an earlier run attached to a reply it never recorded goes. */
  async dropUnsent(turnId: string) {
    const dropped = this.#d.store.dropUnsent(turnId);
    if (dropped.length) await this.#d.bucket.delete(dropped.map((r) => r.r2_key));
  }

  /** The turn's reply is recorded: its attachments become that message's (synchronous, in the recording step). */
  assign(turnId: string, messageId: string): MediaRecord[] {
    return this.#d.store.assignMessage(turnId, messageId, this.#d.now());
  }

  /** Copies records to D1 (after a synchronous change such as assign). */
  async copyAll(records: MediaRecord[]) {
    for (const r of records) await this.#d.copy(r);
  }

  /** The storage sweep: items past retention lose their bytes, then their records (D1's go by the Cron Trigger). */
  async sweep(now: number, keepMs: number) {
    const old = this.#d.store.olderThan(now - keepMs, 500);
    if (!old.length) return;
    await this.#d.bucket.delete(old.map((r) => r.r2_key));
    this.#d.store.delete(old.map((r) => r.id));
    for (const r of old) await this.#d.schedule.cancel(MEDIA_FETCH, r.id);
  }

  /** Deletes every stored byte of the channel (it is being deleted): listed by prefix, a page at a time. */
  async removeAll(channelId: string) {
    for (;;) {
      const page = await this.#d.bucket.list({ prefix: `media/${channelId}/`, limit: 1000 });
      if (page.objects.length) await this.#d.bucket.delete(page.objects.map((o) => o.key));
      if (!page.truncated) return;
    }
  }
}

/**
 * The channel object's media desk, its downloads on the object's schedule (payload: the channel id, loaded first).
 * `changed` hears of each record written to D1, so live views can show a picture the moment it is stored.
 */
export function channelMedia(sql: SqlStorage, state: ChannelState, schedule: Schedule, fence: Pick<RemovalFence, "removed">, changed: (r: MediaRecord) => void): MediaDesk {
  const { env } = state;
  const desk = new MediaDesk({
    store: new MediaStore(sql, () => state.row.id),
    schedule,
    bucket: env.MEDIA,
    twilio: async () => ({ accountSid: state.row.accountSid, authToken: await state.token(), apiBase: twilioApiBase(env) }),
    copy: async (r) => {
      await state.writes.write([mediaCopy(state.db, env.DB, d1Copy(state.row.id, r))]);
      changed(r);
    },
    allowed: () => parseAllowedUrls(env.MEDIA_ALLOWED_URLS).prefixes,
    forgetAtTwilio: () => mediaDeleteFromTwilio(env),
    removed: () => fence.removed,
    now: () => clock.now(),
  });
  schedule.on(MEDIA_FETCH, async (id, channelId) => (channelId && (await state.load(channelId)) ? desk.download(id) : null));
  schedule.on(MEDIA_FORGET, async (id, channelId) => (channelId && (await state.load(channelId)) ? desk.forget(id) : null));
  return desk;
}
