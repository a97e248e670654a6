// Bounded storage: every table that grows with traffic loses its old rows on a schedule — D1 on the hourly Cron
// Trigger, each channel object's SQLite on its own alarm — and repeated traffic with sweeps leaves the counts flat.
// Rows still in use (an open turn and its messages, a waiting watch, an opt-out) are never swept.
import { createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { settledTurns } from "../helpers/turns";
import { pair, seedChannel, sms } from "../helpers/twilio";
import worker from "../../src/index";

freshStorageEachTest();
afterEach(() => {
  vi.useRealTimers();
});

const DAY = 24 * 3600_000;
const OWNER = "+15557770001";

/** The hourly Cron Trigger, as the runtime calls it, at `at`. */
const cron = (at: number) => worker.scheduled(createScheduledController({ scheduledTime: at, cron: "23 * * * *" }), env);

const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

let senderSeq = 0;

/** Traffic rows for one channel at time `at`: a closed turn and its two messages, a watch, a sender. */
async function traffic(channelId: string, at: number, tag: string, turnStatus = "completed") {
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, turn_id, created_at, updated_at) VALUES (?, ?, 'inbound', ?, '+15550001111', 'hi', 'received', ?, ?, ?)`).bind(`msg_in_${tag}`, channelId, OWNER, `turn_${tag}`, at, at),
    env.DB.prepare(`INSERT INTO messages (id, channel_id, direction, from_address, to_address, body, status, turn_id, created_at, updated_at) VALUES (?, ?, 'outbound', '+15550001111', ?, 'yo', 'delivered', ?, ?, ?)`).bind(`msg_out_${tag}`, channelId, OWNER, `turn_${tag}`, at, at),
    env.DB.prepare(`INSERT INTO turns (id, channel_id, agent_id, sender, inbound_message_id, status, created_at, updated_at, completed_at) VALUES (?, ?, 'agt', ?, ?, ?, ?, ?, ?)`).bind(`turn_${tag}`, channelId, OWNER, `msg_in_${tag}`, turnStatus, at, at, turnStatus === "completed" ? at : null),
    env.DB.prepare(`INSERT INTO signal_watches (id, agent_id, channel_id, created_at, expires_at) VALUES (?, 'agt', ?, ?, ?)`).bind(`wat_${tag}`, channelId, at, at + 60_000),
    env.DB.prepare(`INSERT INTO senders (channel_id, address, updated_at) VALUES (?, ?, ?)`).bind(channelId, `+1555${String(++senderSeq).padStart(7, "0")}`, at),
  ]);
}

describe("D1 retention (Cron Trigger)", () => {
  it("deletes rows past RETENTION_DAYS and keeps those still in use", async () => {
    const { channel } = await seedChannel();
    const now = Date.now();
    await traffic(channel.id, now - 40 * DAY, "old1");
    await traffic(channel.id, now - 40 * DAY, "old2", "running");
    await traffic(channel.id, now - DAY / 2, "new1");
    await env.DB.prepare(`INSERT INTO senders (channel_id, address, opted_out_at, last_keyword, updated_at) VALUES (?, '+15550000999', ?, 'STOP', ?)`).bind(channel.id, now - 90 * DAY, now - 90 * DAY).run();
    await env.DB.prepare(`INSERT INTO signal_watches (id, agent_id, channel_id, created_at, expires_at) VALUES ('wat_waiting', 'agt', ?, ?, ?)`).bind(channel.id, now - 2 * DAY, now + 60_000).run();

    await env.DB.prepare(`INSERT INTO ui_sessions (nonce, expires_at) VALUES ('gone', ?), ('live', ?)`).bind(now - 1, now + DAY).run();

    await cron(now);
    const ids = async (table: string) => (await env.DB.prepare(`SELECT id FROM ${table} ORDER BY id`).all<{ id: string }>()).results.map((r) => r.id);
    // The running turn and its messages stay, however old; the closed old one goes with its messages.
    expect(await ids("turns")).toEqual(["turn_new1", "turn_old2"]);
    expect((await ids("messages")).filter((id) => /old|new/.test(id))).toEqual(["msg_in_new1", "msg_in_old2", "msg_out_new1", "msg_out_old2"]);
    // Watches are kept a day past their end; a waiting one always.
    expect(await ids("signal_watches")).toEqual(["wat_new1", "wat_waiting"]);
    expect((await env.DB.prepare(`SELECT nonce FROM ui_sessions`).all<{ nonce: string }>()).results.map((r) => r.nonce)).toEqual(["live"]);
    // The opt-out is kept; the plain old sender row is not.
    const senders = (await env.DB.prepare(`SELECT address, opted_out_at FROM senders`).all<{ address: string; opted_out_at: number | null }>()).results;
    expect(senders.filter((s) => s.opted_out_at)).toHaveLength(1);
    expect(senders).toHaveLength(2);
  });

  it("keeps the counts flat under repeated traffic and sweeps", async () => {
    const { channel } = await seedChannel();
    const base = Date.now() - 400 * DAY;
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const at = base + round * 31 * DAY;
      for (let i = 0; i < 30; i++) await traffic(channel.id, at, `r${round}x${i}`);
      await cron(at + 2 * DAY);
      sizes.push((await count("messages")) + (await count("turns")) + (await count("signal_watches")));
    }
    // Each sweep leaves only the latest round (30 × 2 messages + 30 turns; its watches ended over a day ago).
    expect(sizes).toEqual([90, 90, 90, 90]);
  });
});

describe("channel object retention (its alarm)", () => {
  it("sweeps inbox, turn slots, the reply ledger, signals, settled watches and stale pairing tries, round after round", async () => {
    const message = await seedChannel();
    await pair(message.channel, message.account.token, OWNER);
    const signal = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550002222" }] });
    const objects = [message.channel.id, signal.channel.id].map((id) => env.CHANNEL.get(env.CHANNEL.idFromName(id)));
    const rows = (o: DurableObjectStub) =>
      runInDurableObject(o, (_x, state) =>
        Object.fromEntries(["inbox", "turn_slots", "outbox", "held_status", "signals", "watches", "watch_matches", "resume_outbox", "resumptions", "pairing_tries"].map((t) => [t, state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).one().n])),
      );

    const base = Date.now();
    const at = (t: number) => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(t);
    };
    const totals: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Traffic at the start of a 31-day period, the sweep at its end.
      at(base + round * 31 * DAY);
      await sms(message.channel, message.account.token, OWNER, `hello ${round}`);
      await settledTurns(message.channel.id, round + 1);
      await sms(signal.channel, signal.account.token, "+15550009999", `Your code is 10000${round}`);
      const watch = await json<any>(api("POST", "/api/signals/watches", { channel_id: signal.channel.id, agent_id: signal.agent.id, timeout_s: 30, lookback_s: 0 }));
      await api("DELETE", `/api/signals/watches/${watch.id}`);
      await runInDurableObject(objects[0]!, (_x, state) => state.storage.sql.exec(`INSERT INTO pairing_tries (code, sender, wrong) VALUES ('OLD${round}', '+15550000001', 1)`));
      const before = await Promise.all(objects.map(rows));
      expect(before[0]).toMatchObject({ turn_slots: 1, outbox: 1, pairing_tries: 1 });
      expect(before[1]).toMatchObject({ inbox: 1, signals: 1, watches: 1 });
      expect(before[0]!.inbox).toBeGreaterThan(0);

      at(base + (round + 1) * 31 * DAY - 3600_000);
      for (const o of objects) await runDurableObjectAlarm(o);
      const after = await Promise.all(objects.map(rows));
      totals.push(after.reduce((sum, r) => sum + Object.values(r).reduce((a, b) => a + b, 0), 0));
    }
    expect(totals).toEqual([0, 0, 0]);
  }, 30_000);
});

describe("long waits under the sweeps", () => {
  it("keep a week-long watch, its matches and every step not yet delivered; delivered steps go after a day", async () => {
    // (The watch's own end, at seven days, is on the same alarm; it is past by the second sweep.)
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const object = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    const sql = (q: string, ...args: SqlStorageValue[]) => runInDurableObject(object, (_x, state) => state.storage.sql.exec(q, ...args).toArray());
    const week = await json<any>(api("POST", "/api/signals/watches", { channel_id: channel.id, agent_id: agent.id, mode: "continuous", regex: ".", timeout_s: 7 * 24 * 3600, lookback_s: 0 }));
    await sms(channel, account.token, "+15550009999", "Your parcel shipped");
    const base = Date.now();
    const settlement = JSON.stringify({ watch_id: "wt_x", title: null, mode: "once", status: "timed_out", seq: 1, ended: true });
    await sql(`INSERT INTO resume_outbox (watch_id, seq, channel_id, sender, agent_id, settlement, state, created_at) VALUES ('wt_undelivered', 1, 'ch_x', '+1', 'agt', ?, 'pending', ?)`, settlement, base);
    await sql(`INSERT INTO resume_outbox (watch_id, seq, channel_id, sender, agent_id, settlement, state, created_at, done_at) VALUES ('wt_delivered', 1, 'ch_x', '+1', 'agt', ?, 'delivered', ?, ?)`, settlement, base, base);
    await sql(`INSERT INTO resumptions (watch_id, seq, turn_id, sender, settlement, opened, received_at) VALUES ('wt_taking', 1, 'turn_x', '+1', ?, 1, ?)`, settlement, base);
    await sql(`INSERT INTO resumptions (watch_id, seq, turn_id, sender, settlement, opened, received_at, enqueued_at) VALUES ('wt_taken', 1, 'turn_y', '+1', ?, 1, ?, ?)`, settlement, base, base);

    // Six days on, past every retention but the watch's own week: the sweep runs.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(base + 6 * DAY);
    await runDurableObjectAlarm(object);
    expect(await json(api("GET", `/api/signals/watches/${week.id}?after=0`))).toMatchObject({ status: "waiting", match_count: 1, matches: [{ seq: 1 }] });
    expect(await sql(`SELECT watch_id FROM resume_outbox`)).toEqual([{ watch_id: "wt_undelivered" }]);
    // A conversation remembers the steps it took for a week (a re-delivery comes within hours), unfinished ones always.
    expect(await sql(`SELECT watch_id FROM resumptions ORDER BY watch_id`)).toEqual([{ watch_id: "wt_taken" }, { watch_id: "wt_taking" }]);
    vi.setSystemTime(base + 8 * DAY);
    await runDurableObjectAlarm(object);
    expect(await sql(`SELECT watch_id FROM resumptions`)).toEqual([{ watch_id: "wt_taking" }]);
    expect(await sql(`SELECT watch_id FROM resume_outbox`)).toEqual([{ watch_id: "wt_undelivered" }]);
  });
});
