// Deleting a channel while one of its replies is in flight: the turn ends as "channel_removed" (no exception in the
// channel object), its Queue message is acked rather than retried towards the dead-letter queue, and nothing is
// written to D1 for the deleted channel afterwards. The Queue consumer is driven here with a batch of its own (so
// its ack or retry can be read); the channel object, D1 and the Twilio emulator are the real ones.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleTurnBatch } from "../../src/queue/turns";
import { TurnJob } from "../../src/queue/job";
import { api } from "../helpers/api";
import { fakeState, heldSend, injectFault, mms, PNG_B64, pair, releaseHeld, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770003";

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

const stubFor = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));

/** Keeps the channel object's turn jobs off the real Queue: the test hands them to the consumer itself. */
async function captureTurnJobs(channelId: string) {
  const jobs: TurnJob[] = [];
  await runInDurableObject(stubFor(channelId), (object) => {
    const queue = (Reflect.get(object, "env") as Env).TURNS;
    const send = queue.send;
    Object.assign(queue, { send: async (body: unknown) => void jobs.push(TurnJob.parse(body)) });
    restores.push(() => (queue.send = send));
  });
  return jobs;
}

/** Holds the channel object's next D1 read of `table` until `release`; `reached` says it got there. */
async function holdRead(channelId: string, table: string) {
  const reached = deferred();
  const release = deferred();
  await runInDurableObject(stubFor(channelId), (object) => {
    const db = (Reflect.get(object, "env") as Env).DB;
    const prepare = db.prepare;
    let armed = true;
    db.prepare = (query: string) => {
      const stmt = prepare.call(db, query);
      if (!armed || !new RegExp(`^select .* from "${table}"`, "i").test(query)) return stmt;
      armed = false;
      const bind = stmt.bind.bind(stmt);
      stmt.bind = (...values: unknown[]) => {
        const bound = bind(...values);
        for (const method of ["all", "raw", "first", "run"] as const) {
          const original = (bound[method] as (...a: unknown[]) => Promise<unknown>).bind(bound);
          Object.assign(bound, { [method]: async (...a: unknown[]) => (reached.resolve(), await release.promise, original(...a)) });
        }
        return bound;
      };
      return stmt;
    };
    restores.push(() => (db.prepare = prepare));
  });
  return { reached: reached.promise, release: () => release.resolve() };
}

/** Resolves when the object's alarm next finishes, with what it threw (it is wrapped before it runs). */
async function watchAlarms(channelId: string) {
  const done = deferred<{ threw: unknown }>();
  await runInDurableObject(stubFor(channelId), (object) => {
    const alarm = object.alarm!.bind(object);
    object.alarm = async (...args) => {
      try {
        await alarm(...args);
        done.resolve({ threw: null });
      } catch (err) {
        done.resolve({ threw: err });
        throw err;
      }
    };
  });
  return () => done.promise;
}

/** A connected channel whose owner's text has become a turn, its job captured instead of queued. */
async function turnInFlight() {
  const seeded = await seedChannel();
  await pair(seeded.channel, seeded.account.token, OWNER);
  const jobs = await captureTurnJobs(seeded.channel.id);
  expect((await sms(seeded.channel, seeded.account.token, OWNER, "hello")).status).toBe(200);
  expect(jobs).toHaveLength(1);
  return { ...seeded, job: jobs[0]! };
}

/** Runs the consumer on one message, as the Queue would; resolves to what it did with it. */
async function consume(job: TurnJob, attempts = 1) {
  const batch = createMessageBatch("textgate-turns", [{ id: `msg-${job.turnId}-${attempts}`, timestamp: new Date(), attempts, body: job }]);
  const ctx = createExecutionContext();
  await handleTurnBatch(batch, env);
  const result = await getQueueResult(batch, ctx);
  return { acked: result.explicitAcks.length === 1 && !result.retryBatch.retry, retried: result.retryMessages.length > 0 };
}

/** Every D1 row that still names the channel. */
async function rowsNaming(channelId: string) {
  const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE channel_id = ?`).bind(channelId).first<{ n: number }>())!.n;
  return { messages: await count("messages"), turns: await count("turns"), paired: await count("paired_addresses") };
}

describe("deleting a channel while a reply is in flight", () => {
  it("a reply Twilio is still answering: the turn ends as channel_removed, its job is acked, no row is written", async () => {
    const { channel, account, job } = await turnInFlight();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", hold: true });
    const consumed = consume(job);
    await heldSend(account.sid, OWNER);

    const deleted = await api("DELETE", `/api/channels/${channel.id}`);
    expect(deleted.status).toBe(200);
    expect(await releaseHeld(account.sid)).toBe(1);

    expect(await consumed).toEqual({ acked: true, retried: false });
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0, paired: 0 });
    expect((await api("GET", `/api/channels/${channel.id}`)).status).toBe(404);
    // The one SMS went out (Twilio had it before the delete); nothing was sent again.
    expect((await fakeState(account.sid)).messages.filter((m) => m.to === OWNER)).toHaveLength(1);
  });

  it("a turn being started (its row still being read): channel_removed, acked, nothing written", async () => {
    const { channel, job } = await turnInFlight();
    const gate = await holdRead(channel.id, "turns");
    const consumed = consume(job);
    await gate.reached;

    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    gate.release();

    expect(await consumed).toEqual({ acked: true, retried: false });
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0, paired: 0 });
  });

  it("a job that arrives after the delete is acked", async () => {
    const { channel, job } = await turnInFlight();
    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    expect(await consume(job, 2)).toEqual({ acked: true, retried: false });
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0 });
  });

  it("a job that arrives while the delete is still clearing the SmsUrl: acked, and no SMS is sent", async () => {
    const { channel, account, job } = await turnInFlight();
    const numberUpdates = async () => (await fakeState(account.sid)).requests.filter((r) => r.method === "POST" && r.path.includes("IncomingPhoneNumbers/")).length;
    const before = await numberUpdates();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers/", method: "POST", hold: true });
    const deleting = api("DELETE", `/api/channels/${channel.id}`);
    // The SmsUrl is cleared at Twilio, and its answer held: the delete is under way, the rows not yet gone.
    await vi.waitFor(async () => expect(await numberUpdates()).toBe(before + 1), { interval: 20 });

    expect(await consume(job)).toEqual({ acked: true, retried: false });
    expect(await releaseHeld(account.sid)).toBe(1);
    expect((await deleting).status).toBe(200);
    expect((await fakeState(account.sid)).messages.filter((m) => m.to === OWNER)).toHaveLength(0);
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0, paired: 0 });
  });

  it("a text being handled (the policy in force still being read): answered as an unknown channel, nothing written", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const gate = await holdRead(channel.id, "policy_versions");
    const webhook = sms(channel, account.token, OWNER, "hello");
    await gate.reached;

    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    gate.release();

    expect((await webhook).status).toBe(404);
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0, paired: 0 });
  });

  it("a turn waiting for its picture to download: ends as channel_removed at once, not when the wait runs out", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const jobs = await captureTurnJobs(channel.id);
    await injectFault(account.sid, { match: "/Media/", method: "GET", hold: true });
    await mms(channel, account.token, OWNER, "a picture", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    expect(jobs).toHaveLength(1);
    // Twilio is holding the picture: the turn begins and waits for its download (up to MEDIA_WAIT_MS, 15 s).
    await vi.waitFor(async () => expect((await fakeState(account.sid)).requests.some((r) => r.method === "GET" && r.path.includes("/Media/"))).toBe(true), { interval: 20 });
    const consumed = consume(jobs[0]!);
    // The turn is marked running just before it starts waiting for the picture.
    const running = async () => (await env.DB.prepare("SELECT status FROM turns WHERE id = ?").bind(jobs[0]!.turnId).first<{ status: string }>())?.status;
    await vi.waitFor(async () => expect(await running()).toBe("running"), { interval: 5 });

    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    const settled = await Promise.race([consumed, new Promise<"still waiting">((r) => setTimeout(() => r("still waiting"), 3000))]);
    expect(await releaseHeld(account.sid)).toBe(1);
    expect(settled).toEqual({ acked: true, retried: false });
    expect(await rowsNaming(channel.id)).toMatchObject({ messages: 0, turns: 0 });
  });

  it("a picture still downloading on the alarm: nothing is stored in R2 for the deleted channel, nothing thrown", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    await captureTurnJobs(channel.id);
    const alarmDone = await watchAlarms(channel.id);
    await injectFault(account.sid, { match: "/Media/", method: "GET", hold: true });
    await mms(channel, account.token, OWNER, "a picture", [{ content_type: "image/png", data_b64: PNG_B64 }]);
    // The alarm has fetched the picture and Twilio is holding its answer.
    await vi.waitFor(async () => expect((await fakeState(account.sid)).requests.some((r) => r.method === "GET" && r.path.includes("/Media/"))).toBe(true), { interval: 20 });

    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    expect(await releaseHeld(account.sid)).toBe(1);
    expect(await alarmDone()).toEqual({ threw: null });
    expect((await env.MEDIA.list({ prefix: `media/${channel.id}/` })).objects).toEqual([]);
  });
});

