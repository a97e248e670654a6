// The media desk over a real Durable Object's SQLite, its schedule and the real R2 binding, with Twilio scripted,
// R2 and D1 made to fail on cue, object restarts, and a fixed clock. A download that R2 refuses stays pending with
// the reason and is tried again on the schedule after a backoff; one that keeps failing, or never finishes, is given
// up. With MEDIA_DELETE_FROM_TWILIO, a stored item's copy at Twilio is deleted, with the credentials, at Twilio only.
// An attachment D1 could not record is not attached.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, MEDIA_FETCH, MEDIA_FORGET, MediaDesk } from "../../../src/channel/media-desk";
import { MediaStore, type MediaRecord } from "../../../src/channel/media-store";
import { Schedule } from "../../../src/channel/schedule";

const T = Date.UTC(2030, 0, 1);
const API = "https://api.twilio.com";
const URL0 = `${API}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0`;
const BYTES = new Uint8Array([137, 80, 78, 71]);

type Harness = {
  desk: MediaDesk;
  schedule: Schedule;
  copies: MediaRecord[];
  failPuts: (n: number) => void;
  /** The next n copies to D1 throw (D1 unavailable, or the object reset right after the record changed). */
  failCopies: (n: number) => void;
  setNow: (t: number) => void;
  channelId: string;
  /** Twilio's answers to DELETE, in order (204 once they run out), and the DELETEs it got. */
  deletes: { answers: number[]; seen: { url: string; authorization: string | null }[] };
  /** The object restarted: a new desk and schedule over the same storage (what was in flight is abandoned). */
  restart: () => { desk: MediaDesk; schedule: Schedule };
  /** While on, Twilio never answers a download (the object is reset before it could). */
  hang: (on: boolean) => void;
  /** The channel's deletion begins (its removal fence goes up) while the next R2 put is under way. */
  removeDuringPut: () => void;
};

async function withDesk(fn: (h: Harness) => Promise<void>, opts: { forget?: boolean } = {}) {
  const channelId = `ch_test${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await runInDurableObject(env.CHANNEL.get(env.CHANNEL.idFromName(`media-${channelId}`)), async (_o, state) => {
    let now = T;
    let failing = 0;
    let hanging = false;
    let failingCopies = 0;
    let removed = false;
    let removeOnPut = false;
    const copies: MediaRecord[] = [];
    const bucket = {
      put: (async (...args: Parameters<R2Bucket["put"]>) => {
        if (failing > 0) {
          failing--;
          throw new Error("R2 is unavailable");
        }
        const put = await env.MEDIA.put(...args);
        removed ||= removeOnPut;
        return put;
      }) as R2Bucket["put"],
      get: env.MEDIA.get.bind(env.MEDIA),
      delete: env.MEDIA.delete.bind(env.MEDIA),
      list: env.MEDIA.list.bind(env.MEDIA),
    };
    const deletes: Harness["deletes"] = { answers: [], seen: [] };
    const restart = () => {
      const schedule = new Schedule(state.storage);
      schedule.migrate();
      const store = new MediaStore(state.storage.sql, () => channelId);
      store.migrate();
      const desk = new MediaDesk({
        store,
        schedule,
        bucket,
        twilio: async () => ({ accountSid: "AC1", authToken: "token", apiBase: API }),
        copy: async (r) => {
          if (failingCopies > 0) {
            failingCopies--;
            throw new Error("D1 is unavailable");
          }
          copies.push(r);
        },
        allowed: () => [],
        forgetAtTwilio: () => opts.forget ?? false,
        removed: () => removed,
        now: () => now,
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          if (init?.method !== "DELETE") return hanging ? new Promise<Response>(() => {}) : new Response(BYTES, { headers: { "content-type": "image/png" } });
          deletes.seen.push({ url: String(input), authorization: new Headers(init.headers).get("authorization") });
          return new Response(null, { status: deletes.answers.shift() ?? 204 });
        }) as typeof fetch,
      });
      schedule.on(MEDIA_FETCH, (id) => desk.download(id));
      schedule.on(MEDIA_FORGET, (id) => desk.forget(id));
      return { desk, schedule };
    };
    const { desk, schedule } = restart();
    await fn({ desk, schedule, copies, failPuts: (n) => (failing = n), failCopies: (n) => (failingCopies = n), setNow: (t) => (now = t), channelId, deletes, restart, hang: (on) => (hanging = on), removeDuringPut: () => (removeOnPut = true) });
  });
}

describe("media downloads when R2 fails", () => {
  it("keep the item pending with the reason, and store it on the schedule's next run", async () => {
    await withDesk(async ({ desk, schedule, copies, failPuts, setNow, channelId }) => {
      failPuts(1);
      const [rec] = await desk.receive(channelId, "msg_1", [{ url: URL0, contentType: "image/png" }], T);
      expect(rec).toMatchObject({ status: "pending", attempts: 0 });
      expect(schedule.when(MEDIA_FETCH, rec!.id)).toBe(T);

      await schedule.run(T);
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "pending", attempts: 1, reason: "could not be stored: R2 is unavailable", next_at: T + 10_000 });
      expect(schedule.when(MEDIA_FETCH, rec!.id)).toBe(T + 10_000);
      expect(copies.at(-1)).toMatchObject({ status: "pending", reason: "could not be stored: R2 is unavailable" });
      expect(await env.MEDIA.get(rec!.r2_key)).toBeNull();

      // A turn asking meanwhile does not jump the backoff.
      setNow(T + 5_000);
      expect((await desk.waitFor("msg_1", 1000))[0]).toMatchObject({ status: "pending", attempts: 1 });

      setNow(T + 10_000);
      await schedule.run(T + 10_000);
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "stored", attempts: 2, reason: null, size: BYTES.length, content_type: "image/png" });
      expect(schedule.when(MEDIA_FETCH, rec!.id)).toBeNull();
      expect(new Uint8Array(await (await env.MEDIA.get(rec!.r2_key))!.arrayBuffer())).toEqual(BYTES);
      expect(copies.at(-1)).toMatchObject({ status: "stored" });
    });
  });

  it("a download whose channel is deleted during its put: the bytes put are deleted, the record is left alone", async () => {
    await withDesk(async ({ desk, schedule, copies, channelId, removeDuringPut }) => {
      const [rec] = await desk.receive(channelId, "msg_9", [{ url: URL0, contentType: "image/png" }], T);
      removeDuringPut();
      await schedule.run(T);
      expect(await env.MEDIA.get(rec!.r2_key)).toBeNull();
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "pending", attempts: 1 });
      expect(copies).toEqual([]);
    });
  });

  it(`give up after ${MAX_ATTEMPTS} attempts, saying why`, async () => {
    await withDesk(async ({ desk, schedule, failPuts, setNow, channelId }) => {
      failPuts(100);
      const [rec] = await desk.receive(channelId, "msg_2", [{ url: URL0, contentType: "image/png" }], T);
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const at = schedule.when(MEDIA_FETCH, rec!.id)!;
        setNow(at);
        await schedule.run(at);
      }
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, reason: `gave up after ${MAX_ATTEMPTS} attempts: could not be stored: R2 is unavailable` });
      expect(schedule.when(MEDIA_FETCH, rec!.id)).toBeNull();
    });
  });

  it(`give up after ${MAX_ATTEMPTS} attempts that never finished (the object reset mid-download each time)`, async () => {
    await withDesk(async ({ desk, schedule, setNow, channelId, restart, hang }) => {
      const [rec] = await desk.receive(channelId, "msg_7", [{ url: URL0, contentType: "image/png" }], T);
      hang(true);
      for (let run = 0; run < MAX_ATTEMPTS; run++) {
        const at = schedule.when(MEDIA_FETCH, rec!.id)!;
        setNow(at);
        // The attempt is counted before the request leaves; the request never comes back, the object restarts.
        void schedule.run(at);
        ({ desk, schedule } = restart());
      }
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "pending", attempts: MAX_ATTEMPTS });
      // The schedule's next run gives up, even though Twilio would answer now: it does not try a seventh time.
      hang(false);
      const at = schedule.when(MEDIA_FETCH, rec!.id)!;
      setNow(at);
      await schedule.run(at);
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, reason: `gave up after ${MAX_ATTEMPTS} attempts: the download never finished` });
      expect(schedule.when(MEDIA_FETCH, rec!.id)).toBeNull();
    });
  });

  it("record a redone message's media once", async () => {
    await withDesk(async ({ desk, channelId }) => {
      const first = await desk.receive(channelId, "msg_3", [{ url: URL0, contentType: "image/png" }, { url: URL0, contentType: "image/gif" }], T);
      const again = await desk.receive(channelId, "msg_3", [{ url: URL0, contentType: "image/png" }, { url: URL0, contentType: "image/gif" }], T + 1);
      expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
      expect(desk.store.ofMessage("msg_3")).toHaveLength(2);
    });
  });
});

describe("attach_media when D1 fails", () => {
  it("leaves nothing attached: the reply's signed link would name an item the media route cannot find", async () => {
    await withDesk(async ({ desk, schedule, channelId, failCopies }) => {
      const [rec] = await desk.receive(channelId, "msg_9", [{ url: URL0, contentType: "image/png" }], T);
      await schedule.run(T);
      failCopies(1);
      expect(await desk.attach("turn_9", { mediaId: rec!.id })).toEqual({ status: "refused", reason: "could not be recorded: D1 is unavailable" });
      expect(desk.store.ofTurn("turn_9")).toEqual([]);
      expect((await env.MEDIA.list({ prefix: `media/${channelId}/` })).objects.map((o) => o.key)).toEqual([rec!.r2_key]);
      // D1 back: the same request attaches.
      expect(await desk.attach("turn_9", { mediaId: rec!.id })).toMatchObject({ status: "attached", attached: 1 });
    });
  });
});

describe("MEDIA_DELETE_FROM_TWILIO", () => {
  it("deletes Twilio's copy once the item is stored here, retrying Twilio's 5xx", async () => {
    await withDesk(
      async ({ desk, schedule, setNow, channelId, deletes }) => {
        deletes.answers = [503];
        const [rec] = await desk.receive(channelId, "msg_4", [{ url: URL0, contentType: "image/png" }], T);
        await schedule.run(T);
        expect(desk.store.get(rec!.id)).toMatchObject({ status: "stored", twilio_copy: null });
        expect(schedule.when(MEDIA_FORGET, rec!.id)).toBe(T);
        await schedule.run(T);
        expect(deletes.seen).toEqual([{ url: `${URL0}.json`, authorization: `Basic ${btoa("AC1:token")}` }]);
        expect(desk.store.get(rec!.id)).toMatchObject({ twilio_copy: null, forget_tries: 1 });
        const again = schedule.when(MEDIA_FORGET, rec!.id)!;
        expect(again).toBeGreaterThan(T);
        setNow(again);
        await schedule.run(again);
        expect(deletes.seen).toHaveLength(2);
        expect(desk.store.get(rec!.id)).toMatchObject({ twilio_copy: "deleted", forget_tries: 2 });
        expect(schedule.when(MEDIA_FORGET, rec!.id)).toBeNull();
        // The bytes are ours now.
        expect(await env.MEDIA.get(rec!.r2_key)).not.toBeNull();
      },
      { forget: true },
    );
  });

  it("still deletes Twilio's copy when the object stops between storing the item and copying it to D1", async () => {
    await withDesk(
      async ({ desk, schedule, setNow, channelId, deletes, failCopies }) => {
        const [rec] = await desk.receive(channelId, "msg_8", [{ url: URL0, contentType: "image/png" }], T);
        failCopies(1);
        await schedule.run(T);
        expect(desk.store.get(rec!.id)).toMatchObject({ status: "stored" });
        // The schedule runs the download again, which finds the item stored and only copies it; the deletion runs too.
        const again = schedule.when(MEDIA_FETCH, rec!.id)!;
        setNow(again);
        await schedule.run(again);
        expect(schedule.when(MEDIA_FETCH, rec!.id)).toBeNull();
        expect(schedule.when(MEDIA_FORGET, rec!.id)).toBeNull();
        expect(deletes.seen).toEqual([{ url: `${URL0}.json`, authorization: `Basic ${btoa("AC1:token")}` }]);
        expect(desk.store.get(rec!.id)).toMatchObject({ twilio_copy: "deleted" });
      },
      { forget: true },
    );
  });

  it("never sends the credentials anywhere but Twilio's API, and leaves Twilio's copy alone when off", async () => {
    await withDesk(
      async ({ desk, schedule, channelId, deletes }) => {
        const [rec] = await desk.receive(channelId, "msg_5", [{ url: "https://mms.twiliocdn.com/AC1/x", contentType: "image/png" }], T);
        await schedule.run(T);
        await schedule.run(T);
        expect(desk.store.get(rec!.id)).toMatchObject({ status: "stored", twilio_copy: "not deleted: https://mms.twiliocdn.com is not Twilio's API" });
        expect(deletes.seen).toEqual([]);
      },
      { forget: true },
    );
    await withDesk(async ({ desk, schedule, channelId, deletes }) => {
      const [rec] = await desk.receive(channelId, "msg_6", [{ url: URL0, contentType: "image/png" }], T);
      await schedule.run(T);
      expect(desk.store.get(rec!.id)).toMatchObject({ status: "stored", twilio_copy: null });
      expect(schedule.when(MEDIA_FORGET, rec!.id)).toBeNull();
      expect(deletes.seen).toEqual([]);
    });
  });
});
