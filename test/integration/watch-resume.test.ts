// Waits that outlive a turn: await_signal with a long timeout inside a turn returns at once, and when its watch
// settles the conversation it came from is resumed by exactly one continuation turn, which answers with one SMS.
// The conversation (message mode, space A) and the watched number (signal mode, space B) are on different
// channel objects; the model is the scripted fake. The clock is moved with a fixed Date, never slept on.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { turnJob } from "../../src/queue/job";
import { api, json } from "../helpers/api";
import { advanceClock, objectOf, sqlIn } from "../helpers/objects";
import { scriptFake, type FakeStep } from "../helpers/fake-openai";
import { settledTurns, turns } from "../helpers/turns";
import { fakeState, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770001";
const BANK = "+15550009999";
const HOUR = 3600_000;

afterEach(() => {
  vi.useRealTimers();
});

const sql = sqlIn;
const advance = advanceClock;

/** The agent's conversation (space A, message mode, scripted model) and a signal-mode number in space B. */
async function setup(steps: (signalChannelId: string, marker: string) => FakeStep[]) {
  const agent = await seedChannel();
  const signals = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550002222" }] });
  expect(signals.space.id).not.toBe(agent.space.id);
  await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", agent.agent.id).run();
  await pair(agent.channel, agent.account.token, OWNER);
  // The marker goes in the watch's title, so the continuation (whose input is the framed settlement) finds the script.
  const marker = `scenario-${crypto.randomUUID()}`;
  const fake = await scriptFake(steps(signals.channel.id, marker), marker);
  return { agent, signals, fake, marker };
}

const longWait = (channelId: string, marker: string, extra: Record<string, unknown> = {}): FakeStep => ({
  tool_calls: [{ name: "await_signal", arguments: { channel_id: channelId, timeout_s: 2 * 3600, lookback_s: 0, title: marker, ...extra } }],
});

const sentTo = async (accountSid: string) => (await fakeState(accountSid)).messages.map((m) => [m.to, m.body]);

/** The first turn has run: it started the watch on the signal channel and sent its one SMS. Returns the watches there. */
async function waiting(ctx: { agent: { channel: { id: string }; account: { sid: string } }; signals: { channel: { id: string } } }) {
  const [first] = await settledTurns(ctx.agent.channel.id);
  expect(first).toMatchObject({ status: "completed", tool_calls: ["await_signal"] });
  expect(await sentTo(ctx.agent.account.sid)).toHaveLength(1);
  return json<any[]>(api("GET", `/api/signals/watches?channel_id=${ctx.signals.channel.id}`));
}

describe("a long await_signal in a turn", () => {
  it("returns at once, and a code two hours later resumes the conversation in another space with one SMS", async () => {
    const { agent, signals, fake, marker } = await setup((id, m) => [longWait(id, m), { text: "I'll text you when it comes" }, { text: "Your bank code came" }]);
    await sms(agent.channel, agent.account.token, OWNER, `text me my bank code ${marker}`);
    const [watch] = await waiting({ agent, signals });
    expect(watch).toMatchObject({ status: "waiting", resumes: true, title: marker, agent_id: agent.agent.id });
    expect(Date.parse(watch.expires_at) - Date.parse(watch.created_at)).toBe(2 * HOUR);
    const requests = await fake.requests();
    const toolResult = JSON.parse(String(requests[1]!.messages.find((m) => m.role === "tool")!.content));
    expect(toolResult).toEqual({ watch_id: watch.id, status: "waiting", resumes: true });

    // An hour and a half later, with both objects restarted since, the code comes.
    await abortAllDurableObjects();
    advance(90 * 60_000);
    expect((await sms(signals.channel, signals.account.token, BANK, "Your code is 482913")).status).toBe(200);
    expect(await json(api("GET", `/api/signals/watches/${watch.id}`))).toMatchObject({ status: "matched", signal: { code: "482913" } });
    // The settlement waits in the watched channel's outbox; its object restarts before the alarm delivers it.
    expect(await sql(signals.channel.id, `SELECT seq, state FROM resume_outbox WHERE watch_id = ?`, watch.id)).toEqual([{ seq: 1, state: "pending" }]);
    await abortAllDurableObjects();
    await runDurableObjectAlarm(objectOf(signals.channel.id));

    const settled = await settledTurns(agent.channel.id, 2);
    expect(settled.map((t) => t.status)).toEqual(["completed", "completed"]);
    expect(await sentTo(agent.account.sid)).toEqual([
      [OWNER, "I'll text you when it comes"],
      [OWNER, "Your bank code came"],
    ]);
    expect((await fakeState(signals.account.sid)).messages).toEqual([]);
    expect(await sql(signals.channel.id, `SELECT state FROM resume_outbox WHERE watch_id = ?`, watch.id)).toEqual([{ state: "delivered" }]);

    // The model saw the conversation so far, then the settlement as data from the watch, not as the owner's words.
    const third = (await fake.requests())[2]!;
    const roles = third.messages.filter((m) => m.role !== "system").map((m) => m.role);
    expect(roles).toEqual(["user", "assistant", "user"]);
    const prompt = String(third.messages.at(-1)!.content);
    expect(prompt).toContain("not a message from the person you are texting");
    expect(prompt).toContain('"code":"482913"');
    expect(prompt).toContain(`"watch_id":"${watch.id}"`);
    // The conversation's history shows the settlement, between the two replies.
    const history = (await json<any[]>(api("GET", `/api/channels/${agent.channel.id}/messages`))).reverse();
    expect(history.map((m) => [m.direction, m.status])).toEqual([
      ["inbound", "pairing"],
      ["inbound", "received"],
      ["outbound", expect.any(String)],
      ["watch", "matched"],
      ["outbound", expect.any(String)],
    ]);
    expect(history[3]).toMatchObject({ from: watch.id, to: OWNER, turn_id: settled[1].id, body: expect.stringContaining("code 482913") });
  }, 30_000);

  it("resumes the conversation when the watch times out two hours later, through the alarm, across restarts", async () => {
    const { agent, signals, fake, marker } = await setup((id, m) => [longWait(id, m), { text: "Waiting for it" }, { text: "No code came in two hours" }]);
    await sms(agent.channel, agent.account.token, OWNER, `text me my bank code ${marker}`);
    const [watch] = await waiting({ agent, signals });

    await abortAllDurableObjects();
    advance(2 * HOUR);
    // The expiry fires on the watched channel's schedule; the delivery it records goes out on the next alarm.
    await runDurableObjectAlarm(objectOf(signals.channel.id));
    expect(await json(api("GET", `/api/signals/watches/${watch.id}`))).toMatchObject({ status: "timed_out" });
    await abortAllDurableObjects();
    await runDurableObjectAlarm(objectOf(signals.channel.id));

    await settledTurns(agent.channel.id, 2);
    expect((await sentTo(agent.account.sid)).map(([, body]) => body)).toEqual(["Waiting for it", "No code came in two hours"]);
    const prompt = String((await fake.requests())[2]!.messages.at(-1)!.content);
    expect(prompt).toContain('"status":"timed_out"');
  }, 30_000);
});

describe("a long await_signal with instructions", () => {
  it("resumes the conversation once, with the judge's result, after the judge turned down an earlier candidate", async () => {
    const schema = { type: "object", properties: { code: { type: "string" } }, required: ["code"] };
    const { agent, signals, fake, marker } = await setup((id, m) => [
      longWait(id, m, { contains: m, instructions: "The bank's login code, not its offers.", result_schema: schema }),
      { text: "I'll text you the code" },
      // The judge: the offer is turned down, the code accepted (its SMS carry the marker, so the script gets them).
      { text: '{"match": false}' },
      { text: '{"match": true, "result": {"code": "482913"}}' },
      { text: "Your bank code is 482913" },
    ]);
    await sms(agent.channel, agent.account.token, OWNER, `text me my bank code ${marker}`);
    const [watch] = await waiting({ agent, signals });
    expect(watch).toMatchObject({ status: "waiting", resumes: true, judge: { max_evaluations: 50, evaluation_count: 0 } });
    await sms(signals.channel, signals.account.token, BANK, `20% off savings accounts this week ${marker}`);
    await sms(signals.channel, signals.account.token, BANK, `Your code is 482913 ${marker}`);

    const settled = await settledTurns(agent.channel.id, 2);
    expect(settled.map((t) => t.status)).toEqual(["completed", "completed"]);
    expect((await sentTo(agent.account.sid)).map(([, body]) => body)).toEqual(["I'll text you the code", "Your bank code is 482913"]);
    const done = await json(api("GET", `/api/signals/watches/${watch.id}`));
    expect(done).toMatchObject({ status: "matched", signal: { code: "482913", result: { code: "482913" } } });
    expect(done.judge.evaluations.map((e: { outcome: string }) => e.outcome)).toEqual(["rejected", "matched"]);
    const requests = await fake.requests();
    expect(requests).toHaveLength(5);
    // The judge's calls had no tools; the continuation saw the judge's result as data from the watch.
    expect(requests[2]!.tools).toEqual([]);
    expect(requests[3]!.tools).toEqual([]);
    expect(String(requests[4]!.messages.at(-1)!.content)).toContain('"result":{"code":"482913"}');
    expect(await sql(signals.channel.id, `SELECT seq FROM resume_outbox WHERE watch_id = ?`, watch.id)).toEqual([{ seq: 1 }]);
    expect(await turns(agent.channel.id)).toHaveLength(2);
  }, 30_000);
});

describe("a long await_signal on any signal-mode channel", () => {
  it("is held by the hub, which resumes the conversation on the channel object it came from", async () => {
    const { agent, signals, marker } = await setup((_id, m) => [
      { tool_calls: [{ name: "await_signal", arguments: { timeout_s: 3600, lookback_s: 0, title: m, contains: m } }] },
      { text: "Waiting on any number" },
      { text: "Got it from the hub" },
    ]);
    await sms(agent.channel, agent.account.token, OWNER, `any number ${marker}`);
    await settledTurns(agent.channel.id);
    const [watch] = (await json<any[]>(api("GET", "/api/signals/watches"))).filter((w) => w.title === marker);
    expect(watch).toMatchObject({ channel_id: null, status: "waiting", resumes: true });
    await sms(signals.channel, signals.account.token, BANK, `Your code is 909090 ${marker}`);
    await settledTurns(agent.channel.id, 2);
    expect((await sentTo(agent.account.sid)).map(([, b]) => b)).toEqual(["Waiting on any number", "Got it from the hub"]);
  }, 20_000);
});

describe("a long await_signal whose lookback finds the code", () => {
  it("answers in the call and resumes nothing", async () => {
    const { agent, signals, fake, marker } = await setup((id, m) => [longWait(id, m, { lookback_s: 300 }), { text: "Your code is here already" }]);
    await sms(signals.channel, signals.account.token, BANK, "Your code is 424242");
    await sms(agent.channel, agent.account.token, OWNER, `code please ${marker}`);
    await settledTurns(agent.channel.id);
    const tool = JSON.parse(String((await fake.requests())[1]!.messages.find((m) => m.role === "tool")!.content));
    expect(tool).toMatchObject({ status: "matched", signal: { code: "424242" } });
    expect(tool.resumes).toBeUndefined();
    // Nothing is left to deliver: no continuation turn follows the one that already had the code.
    expect(await sql(signals.channel.id, `SELECT watch_id FROM resume_outbox`)).toEqual([]);
    expect(await turns(agent.channel.id)).toHaveLength(1);
  }, 20_000);
});

describe("a long await_signal on the conversation's own number", () => {
  it("resumes the conversation when the bank texts that number (the object delivers to itself)", async () => {
    const agent = await seedChannel();
    await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", agent.agent.id).run();
    await pair(agent.channel, agent.account.token, OWNER);
    const marker = `scenario-${crypto.randomUUID()}`;
    await scriptFake([longWait(agent.channel.id, marker, { from: BANK }), { text: "Send me a minute" }, { text: "It came" }], marker);
    await sms(agent.channel, agent.account.token, OWNER, `log me in ${marker}`);
    await settledTurns(agent.channel.id);
    // Not paired, so not the agent's to read as a message: a signal for the watch.
    await sms(agent.channel, agent.account.token, BANK, "Your code is 551100");
    await settledTurns(agent.channel.id, 2);
    expect(await sentTo(agent.account.sid)).toEqual([
      [OWNER, "Send me a minute"],
      [OWNER, "It came"],
    ]);
  }, 20_000);
});

describe("exactly one continuation", () => {
  async function resumed() {
    const ctx = await setup((id, m) => [longWait(id, m), { text: "Will do" }, { text: "Here it is" }]);
    await sms(ctx.agent.channel, ctx.agent.account.token, OWNER, `bank code please ${ctx.marker}`);
    const [watch] = await waiting(ctx);
    await sms(ctx.signals.channel, ctx.signals.account.token, BANK, "Your code is 135790");
    const settled = await settledTurns(ctx.agent.channel.id, 2);
    return { ...ctx, watch, continuation: settled[1] };
  }

  it("under Queue redelivery of the continuation turn's job", async () => {
    const { agent, continuation } = await resumed();
    // A redelivered job (any attempt, any id) finds the turn done; a fresh copy on the real Queue changes nothing.
    expect(await runInDurableObject(objectOf(agent.channel.id), (o) => o.beginTurn(agent.channel.id, continuation.id, 2, "job-redelivered"))).toEqual({ status: "done" });
    await env.TURNS.send(turnJob(agent.channel.id, continuation.id));
    await env.TURNS.send(turnJob(agent.channel.id, continuation.id));
    // A later text is answered after those copies were consumed (the conversation's turns run in order).
    const later = await scriptFake([{ text: "Later reply" }]);
    await sms(agent.channel, agent.account.token, OWNER, `thanks ${later.marker}`);
    await settledTurns(agent.channel.id, 3);
    expect((await sentTo(agent.account.sid)).map(([, b]) => b)).toEqual(["Will do", "Here it is", "Later reply"]);
  }, 30_000);

  it("when the receiver took the step but the sender crashed before recording the ack", async () => {
    const { agent, signals, watch } = await resumed();
    // As if the holding object died after the RPC answered: the step is pending again and its delivery scheduled.
    await sql(signals.channel.id, `UPDATE resume_outbox SET state = 'pending', done_at = NULL WHERE watch_id = ?`, watch.id);
    await sql(signals.channel.id, `INSERT INTO schedules (kind, key, at) VALUES ('watch_resume', ?, ?)`, watch.id, Date.now());
    await abortAllDurableObjects();
    await runDurableObjectAlarm(objectOf(signals.channel.id));
    expect(await sql(signals.channel.id, `SELECT state FROM resume_outbox WHERE watch_id = ?`, watch.id)).toEqual([{ state: "delivered" }]);
    expect(await turns(agent.channel.id)).toHaveLength(2);
    const watchMessages = (await json<any[]>(api("GET", `/api/channels/${agent.channel.id}/messages`))).filter((m) => m.direction === "watch");
    expect(watchMessages).toHaveLength(1);
    expect((await sentTo(agent.account.sid)).map(([, b]) => b)).toEqual(["Will do", "Here it is"]);
  }, 30_000);

  it("when the receiver crashed between recording the step and putting its turn on the Queue", async () => {
    const ctx = await setup((id, m) => [longWait(id, m), { text: "Will do" }, { text: "Here it is" }]);
    await sms(ctx.agent.channel, ctx.agent.account.token, OWNER, `bank code please ${ctx.marker}`);
    const [watch] = await waiting(ctx);
    advance(60_000);
    await sms(ctx.signals.channel, ctx.signals.account.token, BANK, "Your code is 246802");
    // The receiver's own record of the step, as its first synchronous step left it: taken, not yet enqueued.
    const delivery = {
      watchId: watch.id,
      agentId: ctx.agent.agent.id,
      sender: OWNER,
      steps: (await sql<{ seq: number; settlement: string }>(ctx.signals.channel.id, `SELECT seq, settlement FROM resume_outbox WHERE watch_id = ?`, watch.id)).map((r) => ({ seq: r.seq, settlement: JSON.parse(r.settlement) })),
    };
    const turnId = `turn_w${watch.id.slice(3)}_1`;
    await sql(ctx.agent.channel.id, `INSERT INTO resumptions (watch_id, seq, turn_id, sender, settlement, opened, received_at) VALUES (?, 1, ?, ?, ?, 1, ?)`, watch.id, turnId, OWNER, JSON.stringify(delivery.steps[0]!.settlement), Date.now());
    await sql(ctx.agent.channel.id, `INSERT INTO turn_slots (turn_id, sender, seq, state, changed_at) VALUES (?, ?, 100, 'queued', ?)`, turnId, OWNER, Date.now());
    await abortAllDurableObjects();
    // The sender's delivery (its alarm) redoes the rest.
    await runDurableObjectAlarm(objectOf(ctx.signals.channel.id));
    await settledTurns(ctx.agent.channel.id, 2);
    expect((await sentTo(ctx.agent.account.sid)).map(([, b]) => b)).toEqual(["Will do", "Here it is"]);
    expect(await sql(ctx.agent.channel.id, `SELECT enqueued_at IS NOT NULL AS done FROM resumptions WHERE watch_id = ?`, watch.id)).toEqual([{ done: 1 }]);
  }, 30_000);
});

describe("a resumed conversation", () => {
  it("keeps its order: a continuation waits behind a turn that is running", async () => {
    const { agent, signals, marker } = await setup((id, m) => [longWait(id, m), { text: "first reply" }, { text: "continuation reply" }]);
    await sms(agent.channel, agent.account.token, OWNER, `first ${marker}`);
    await waiting({ agent, signals });
    // The owner writes again; the model answers that one slowly, and the code arrives while it runs.
    const second = await scriptFake([{ text: "second reply", delay_ms: 1500 }]);
    await sms(agent.channel, agent.account.token, OWNER, `second ${second.marker}`);
    await vi.waitFor(
      async () => {
        if (!(await turns(agent.channel.id)).some((t) => t.status === "running")) throw new Error("second turn not running yet");
      },
      { timeout: 10_000, interval: 20 },
    );
    await sms(signals.channel, signals.account.token, BANK, "Your code is 112233");
    await settledTurns(agent.channel.id, 3);
    expect((await sentTo(agent.account.sid)).map(([, b]) => b)).toEqual(["first reply", "second reply", "continuation reply"]);
  }, 30_000);

  it("by a continuous watch, once per match and never twice at once: matches that come meanwhile go together", async () => {
    const { agent, signals, fake, marker } = await setup((id, m) => [
      longWait(id, m, { mode: "continuous", contains: "parcel", timeout_s: 3600 }),
      { text: "Watching your parcel" },
      { text: "Update 1 noted", delay_ms: 1500 },
      { text: "Updates 2 and 3 noted" },
      { text: "The watch has ended" },
    ]);
    await sms(agent.channel, agent.account.token, OWNER, `watch my parcel ${marker}`);
    const [watch] = await waiting({ agent, signals });
    expect(watch).toMatchObject({ mode: "continuous", resumes: true });
    await sms(signals.channel, signals.account.token, BANK, "parcel 1: shipped");
    // While the first continuation runs (its model answers slowly), two more updates come.
    await vi.waitFor(
      async () => {
        if (!(await turns(agent.channel.id)).some((t) => t.status === "running")) throw new Error("no continuation running yet");
      },
      { timeout: 10_000, interval: 20 },
    );
    await sms(signals.channel, signals.account.token, BANK, "parcel 2: in transit");
    await sms(signals.channel, signals.account.token, BANK, "parcel 3: out for delivery");
    await settledTurns(agent.channel.id, 3);
    // Cancelled by the owner's app: the end resumes the conversation too.
    await api("DELETE", `/api/signals/watches/${watch.id}`);
    const all = await settledTurns(agent.channel.id, 4);
    expect(all.map((t) => t.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect((await sentTo(agent.account.sid)).map(([, b]) => b)).toEqual(["Watching your parcel", "Update 1 noted", "Updates 2 and 3 noted", "The watch has ended"]);
    const prompts = (await fake.requests()).slice(2).map((r) => String(r.messages.at(-1)!.content));
    expect(prompts[0]).toContain("parcel 1");
    expect(prompts[1]).toMatch(/"seq":2[\s\S]*parcel 2[\s\S]*"seq":3[\s\S]*parcel 3/);
    expect(prompts[1]).not.toContain("parcel 1");
    expect(prompts[2]).toContain('"status":"cancelled"');
    expect(prompts[2]).toContain('"match_count":3');
  }, 30_000);

  it("is not resumed once the policies no longer let its agent hear from the person (unpaired meanwhile)", async () => {
    const { agent, signals, marker } = await setup((id, m) => [longWait(id, m), { text: "ok" }]);
    await sms(agent.channel, agent.account.token, OWNER, `code ${marker}`);
    const [watch] = await waiting({ agent, signals });
    expect((await api("DELETE", `/api/channels/${agent.channel.id}/paired-addresses/${encodeURIComponent(OWNER)}`)).status).toBe(200);
    await sms(signals.channel, signals.account.token, BANK, "Your code is 776655");
    await vi.waitFor(
      async () => {
        const rows = await sql<{ state: string; note: string }>(signals.channel.id, `SELECT state, note FROM resume_outbox WHERE watch_id = ?`, watch.id);
        if (rows[0]?.state !== "dropped") throw new Error(JSON.stringify(rows));
        expect(rows[0].note).toMatch(/no longer let the agent receive messages from/);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(await turns(agent.channel.id)).toHaveLength(1);
    expect(await sentTo(agent.account.sid)).toHaveLength(1);
  }, 20_000);

  it("is not resumed when its channel was deleted meanwhile: the step is dropped, never retried", async () => {
    const { agent, signals, marker } = await setup((id, m) => [longWait(id, m), { text: "ok" }]);
    await sms(agent.channel, agent.account.token, OWNER, `code ${marker}`);
    const [watch] = await waiting({ agent, signals });
    expect((await api("DELETE", `/api/channels/${agent.channel.id}`)).status).toBe(200);
    await sms(signals.channel, signals.account.token, BANK, "Your code is 998877");
    await vi.waitFor(
      async () => {
        const rows = await sql<{ state: string; note: string }>(signals.channel.id, `SELECT state, note FROM resume_outbox WHERE watch_id = ?`, watch.id);
        if (rows[0]?.state !== "dropped") throw new Error(JSON.stringify(rows));
        expect(rows[0].note).toMatch(/deleted/);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(await sql(signals.channel.id, `SELECT key FROM schedules WHERE kind = 'watch_resume'`)).toEqual([]);
  }, 20_000);
});
