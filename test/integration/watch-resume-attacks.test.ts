// Attacks on waits that resume a conversation, from outside: the conversation's channel handed to another agent
// while a watch of the first one waits, a channel between states when the step comes, and a flood of steps.
// The first agent must never be woken in a conversation it no longer has (it would read the new agent's history
// with the person and text them as if it still held the channel).
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { advanceClock, objectOf, sqlIn } from "../helpers/objects";
import { scriptFake, type FakeStep } from "../helpers/fake-openai";
import { settledTurns, turns } from "../helpers/turns";
import { fakeState, injectFault, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770002";
const BANK = "+15550008888";

afterEach(() => {
  vi.useRealTimers();
});

async function setup(steps: (signalChannelId: string, marker: string) => FakeStep[]) {
  const agent = await seedChannel();
  const signals = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550003333" }] });
  await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", agent.agent.id).run();
  await pair(agent.channel, agent.account.token, OWNER);
  const marker = `scenario-${crypto.randomUUID()}`;
  const fake = await scriptFake(steps(signals.channel.id, marker), marker);
  return { agent, signals, fake, marker };
}

const longWait = (channelId: string, marker: string): FakeStep => ({
  tool_calls: [{ name: "await_signal", arguments: { channel_id: channelId, timeout_s: 2 * 3600, lookback_s: 0, title: marker } }],
});

const sentTo = async (accountSid: string) => (await fakeState(accountSid)).messages.map((m) => m.body);

/**
 * An agent waiting (a long watch that resumes its conversation) whose own channel then fails: new credentials saved
 * while Twilio drops the registration leave it failed until the owner retries.
 */
async function waitingOnFailedChannel(continuation: string) {
  const { agent, signals, marker } = await setup((id, m) => [longWait(id, m), { text: "I'll text you" }, { text: continuation }]);
  await sms(agent.channel, agent.account.token, OWNER, `code please ${marker}`);
  await settledTurns(agent.channel.id);
  const [watch] = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${signals.channel.id}`));
  await injectFault(agent.account.sid, { match: "IncomingPhoneNumbers", drop: true, times: 1 });
  expect(await json(api("PATCH", `/api/channels/${agent.channel.id}`, { config: { auth_token: agent.account.token } }))).toMatchObject({ status: "failed" });
  return { agent, signals, watch };
}

async function dropped(channelId: string, watchId: string) {
  let note = "";
  await vi.waitFor(
    async () => {
      const rows = await sqlIn<{ state: string; note: string }>(channelId, `SELECT state, note FROM resume_outbox WHERE watch_id = ?`, watchId);
      if (rows[0]?.state !== "dropped") throw new Error(JSON.stringify(rows));
      note = rows[0].note;
    },
    { timeout: 10_000, interval: 20 },
  );
  return note;
}

describe("a watch that resumes a conversation", () => {
  it("does not wake its agent once the conversation's channel belongs to another agent", async () => {
    const { agent, signals, marker } = await setup((id, m) => [longWait(id, m), { text: "I'll text you" }, { text: "the old agent answering" }]);
    await sms(agent.channel, agent.account.token, OWNER, `code please ${marker}`);
    const [first] = await settledTurns(agent.channel.id);
    expect(first).toMatchObject({ status: "completed", tool_calls: ["await_signal"] });
    const [watch] = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${signals.channel.id}`));
    expect(watch).toMatchObject({ status: "waiting", resumes: true, agent_id: agent.agent.id });

    // The owner gives the channel to another agent of the space; the first agent's watch then matches.
    const other = await json(api("POST", "/api/agents", { name: "Successor", space_id: agent.space.id }));
    expect((await api("PATCH", `/api/channels/${agent.channel.id}`, { agent_id: other.id })).status).toBe(200);
    await sms(signals.channel, signals.account.token, BANK, "Your code is 515151");

    expect(await dropped(signals.channel.id, watch.id)).toMatch(/agent/);
    expect(await turns(agent.channel.id)).toHaveLength(1);
    expect(await sentTo(agent.account.sid)).toEqual(["I'll text you"]);
  }, 20_000);

  it("waits, rather than drops, while its conversation's channel is failing to register with Twilio, and resumes it after", async () => {
    const { agent, signals, watch } = await waitingOnFailedChannel("Your code came after all");
    await sms(signals.channel, signals.account.token, BANK, "Your code is 626262");
    // Once the delivery has been tried (its schedule row is gone, or moved to a later try), the step still waits.
    await vi.waitFor(
      async () => {
        const [row] = await sqlIn<{ at: number }>(signals.channel.id, `SELECT at FROM schedules WHERE kind = 'watch_resume' AND key = ?`, watch.id);
        if (row && row.at <= Date.now()) throw new Error("not tried yet");
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(await sqlIn(signals.channel.id, `SELECT state FROM resume_outbox WHERE watch_id = ?`, watch.id)).toEqual([{ state: "pending" }]);
    expect(await turns(agent.channel.id)).toHaveLength(1);

    // The owner saves the credentials again; the next try delivers the step.
    expect(await json(api("PATCH", `/api/channels/${agent.channel.id}`, { config: { auth_token: agent.account.token } }))).toMatchObject({ status: "connected" });
    advanceClock(3600_000);
    await runDurableObjectAlarm(objectOf(signals.channel.id));
    await settledTurns(agent.channel.id, 2);
    expect(await sentTo(agent.account.sid)).toEqual(["I'll text you", "Your code came after all"]);
  }, 20_000);

  it("drops a step its conversation's channel has answered 'later' for a week, and never opens its turn", async () => {
    const { agent, signals, watch } = await waitingOnFailedChannel("a week too late");
    await sms(signals.channel, signals.account.token, BANK, "Your code is 737373");
    const state = async () => (await sqlIn<{ state: string }>(signals.channel.id, `SELECT state FROM resume_outbox WHERE watch_id = ?`, watch.id))[0]?.state;
    await vi.waitFor(async () => expect(await state()).toBe("pending"), { timeout: 5_000, interval: 20 });

    // The channel is never repaired. Just short of a week after the step settled it is still offered.
    advanceClock(7 * 86_400_000 - 15 * 60_000);
    await runDurableObjectAlarm(objectOf(signals.channel.id));
    expect(await state()).toBe("pending");
    // A week on, the next offer drops it, with the reason kept.
    advanceClock(20 * 60_000);
    await runDurableObjectAlarm(objectOf(signals.channel.id));
    expect(await dropped(signals.channel.id, watch.id)).toMatch(/not resumable for 7 days \(the channel is failed\)/);
    expect(await sqlIn(signals.channel.id, `SELECT 1 FROM schedules WHERE kind = 'watch_resume' AND key = ?`, watch.id)).toEqual([]);
    expect(await turns(agent.channel.id)).toHaveLength(1);
    expect(await sentTo(agent.account.sid)).toEqual(["I'll text you"]);
  }, 30_000);

  it("opens at most MAX_TURNS_PER_SENDER_PER_HOUR continuation turns an hour in one conversation; the next step waits", async () => {
    // Whoever can text a watched number drives the watches that resume this conversation (50 per agent, each
    // continuous up to 1000 matches): each step that cannot join a pending continuation opens a turn and an SMS.
    const { agent, channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const stub = objectOf(channel.id);
    const step = (n: number) => ({
      watchId: `wt_flood${String(n).padStart(4, "0")}`,
      agentId: agent.id,
      sender: OWNER,
      steps: [{ seq: 1, settlement: { watch_id: `wt_flood${n}`, title: null, mode: "once" as const, status: "timed_out" as const, seq: 1, ended: true } }],
    });
    for (let n = 1; n <= 30; n++) expect(await stub.resumeConversation(channel.id, step(n))).toEqual({ status: "accepted" });
    expect(await stub.resumeConversation(channel.id, step(31))).toMatchObject({ status: "later", reason: expect.stringMatching(/30 continuation turns in the last hour/) });
    expect(await turns(channel.id)).toHaveLength(30);
    // The person's own texts still run turns: continuations have a window of their own.
    await sms(channel, account.token, OWNER, "hello");
    await vi.waitFor(async () => expect(await turns(channel.id)).toHaveLength(31), { timeout: 5_000, interval: 20 });
    // An hour on, the step that waited is taken.
    advanceClock(3600_000 + 1);
    expect(await stub.resumeConversation(channel.id, step(31))).toEqual({ status: "accepted" });
    expect(await turns(channel.id)).toHaveLength(32);
  }, 30_000);
});
