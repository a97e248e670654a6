// Turn liveness: a turn whose Queue job vanished, whose consumer died holding the lease, or that was left deferred
// after its predecessor finished is picked up again by the channel object's own schedule, with no new text; the
// conversation's later turns follow in order. The object's clock is moved with a fixed Date, never slept on.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { advanceClock, objectOf, sqlIn } from "../helpers/objects";
import { outbound, turns } from "../helpers/turns";
import { fakeState, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770001";
const HOUR = 3600_000;

afterEach(() => {
  vi.useRealTimers();
});

const sql = sqlIn;

/**
 * Three texts whose jobs are consumed and gone while a turn that is not in D1 holds the conversation: each job finds
 * an earlier open turn, so it is deferred and acknowledged. What is left is the state a lost job leaves behind.
 */
async function swallowedTurns() {
  const seeded = await seedChannel();
  await pair(seeded.channel, seeded.account.token, OWNER);
  await sql(seeded.channel.id, `INSERT INTO turn_slots (turn_id, sender, seq, state, attempt, lease_until) VALUES ('turn_blocker', ?, 0, 'running', 1, ?)`, OWNER, Date.now() + HOUR);
  for (const text of ["one", "two", "three"]) await sms(seeded.channel, seeded.account.token, OWNER, text);
  await vi.waitFor(
    async () => {
      const states = (await sql<{ state: string }>(seeded.channel.id, `SELECT state FROM turn_slots WHERE turn_id != 'turn_blocker' ORDER BY seq`)).map((r) => r.state);
      if (states.join() !== "deferred,deferred,deferred") throw new Error(`slots: ${states.join()}`);
    },
    { timeout: 10_000, interval: 20 },
  );
  const [first] = await sql<{ turn_id: string }>(seeded.channel.id, `SELECT turn_id FROM turn_slots WHERE turn_id != 'turn_blocker' ORDER BY seq LIMIT 1`);
  return { ...seeded, first: first!.turn_id };
}

const advance = advanceClock;

async function answeredInOrder(channelId: string, accountSid: string) {
  const settled = await vi.waitFor(
    async () => {
      const all = await turns(channelId);
      if (all.filter((t) => t.status === "completed").length < 3) throw new Error(`turns: ${JSON.stringify(all.map((t) => t.status))}`);
      return all;
    },
    { timeout: 6_000, interval: 50 },
  );
  expect(settled.every((t: any) => t.status === "completed")).toBe(true);
  expect(await outbound(channelId)).toHaveLength(3);
  // The order Twilio was asked to send in (the fixed clock gives every row the same timestamp).
  const sent = (await fakeState(accountSid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");
  expect(sent.map((r) => /Echo: (\w+)/.exec(r.form.Body ?? "")?.[1])).toEqual(["one", "two", "three"]);
}

describe("a conversation stuck behind a dead turn", () => {
  const cases: [string, (channelId: string, first: string) => Promise<unknown>][] = [
    // The worker died mid-turn: the lease it held runs out, and no job is left to retry.
    ["its first turn's consumer died holding the lease", (c, first) => sql(c, `UPDATE turn_slots SET state = 'running', attempt = 1, lease_until = ? WHERE turn_id = ?`, Date.now() + 60_000, first)],
    // The job was never delivered (or was lost before it began).
    ["its first turn's job never ran", (c, first) => sql(c, `UPDATE turn_slots SET state = 'queued' WHERE turn_id = ?`, first)],
    // The reply was composed and recorded, but the send's retry job was lost: the turn went back to waiting.
    [
      "its first turn's reply was left pending",
      async (c, first) => {
        await sql(c, `UPDATE turn_slots SET state = 'queued' WHERE turn_id = ?`, first);
        await env.DB.prepare(
          `INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, turn_id, created_at, updated_at) VALUES ('msg_pending_reply', ?, 'outbound', '+15550001111', ?, 'Echo: one (sent late)', 'pending', ?, ?, ?)`,
        )
          .bind(c, OWNER, first, Date.now(), Date.now())
          .run();
      },
    ],
    // The turn before it finished without handing the conversation on.
    ["its first turn is still deferred though the turn before it is done", (c) => sql(c, `UPDATE turn_slots SET state = 'done', done_at = ? WHERE turn_id = 'turn_blocker'`, Date.now())],
  ];

  for (const [name, leave] of cases) {
    it(`is answered in order by the object's schedule when ${name}`, async () => {
      const { channel, account, first } = await swallowedTurns();
      if (!name.includes("deferred")) await sql(channel.id, `DELETE FROM turn_slots WHERE turn_id = 'turn_blocker'`);
      await leave(channel.id, first);
      expect((await outbound(channel.id)).filter((m) => m.twilio_sid)).toHaveLength(0);

      advance(HOUR);
      await runDurableObjectAlarm(objectOf(channel.id));
      await answeredInOrder(channel.id, account.sid);
    }, 20_000);
  }

  it("is rescued by the hourly sweep when the turn's own checks are gone (an object from before the schedule)", async () => {
    const { channel, account, first } = await swallowedTurns();
    await sql(channel.id, `DELETE FROM turn_slots WHERE turn_id = 'turn_blocker'`);
    await sql(channel.id, `UPDATE turn_slots SET state = 'queued' WHERE turn_id = ?`, first);
    await sql(channel.id, `DELETE FROM schedules WHERE kind != 'storage_sweep'`);
    advance(2 * HOUR);
    await runDurableObjectAlarm(objectOf(channel.id));
    await answeredInOrder(channel.id, account.sid);
  }, 20_000);

  it("lets no second run start while a live consumer holds the lease", async () => {
    const { channel, first } = await swallowedTurns();
    await sql(channel.id, `DELETE FROM turn_slots WHERE turn_id = 'turn_blocker'`);
    const object = objectOf(channel.id);
    const held = await runInDurableObject(object, (o) => o.beginTurn(channel.id, first, 1, "job-a"));
    expect(held.status).toBe("run");
    // Another job for the same turn (a liveness re-send, a duplicate), whatever its attempt number: busy.
    expect((await runInDurableObject(object, (o) => o.beginTurn(channel.id, first, 7, "job-b"))).status).toBe("busy");
    // The holding job's own redelivery (its consumer died) takes over.
    expect((await runInDurableObject(object, (o) => o.beginTurn(channel.id, first, 2, "job-a"))).status).toBe("run");
  });
});
