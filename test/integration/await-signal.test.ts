// The await_signal tool inside a real turn: a message-mode agent waits for a code that arrives on a signal-mode
// channel in another space, on the real Queue consumer and channel objects; the model is the fake OpenAI server.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { scriptFake, type FakeStep } from "../helpers/fake-openai";
import { settledTurns } from "../helpers/turns";
import { fakeState, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770001";
const BANK = "+15550009999";

/** Agent A (space A, message mode, scripted model) and a signal-mode channel in space B. */
async function setup(steps: (signalChannelId: string) => FakeStep[]) {
  const agent = await seedChannel();
  const signals = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550002222" }] });
  expect(signals.space.id).not.toBe(agent.space.id);
  await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", agent.agent.id).run();
  await pair(agent.channel, agent.account.token, OWNER);
  const fake = await scriptFake(steps(signals.channel.id));
  return { agent, signals, fake };
}

/** A wait short enough (INLINE_WAIT_S) to happen inside the call, as every wait did before waits could resume. */
const awaitCall = (channelId: string, extra: Record<string, unknown> = {}): FakeStep => ({
  tool_calls: [{ name: "await_signal", arguments: { channel_id: channelId, timeout_s: 15, ...extra } }],
});

/** The tool result the model was sent, as text. */
async function toolResult(fake: Awaited<ReturnType<typeof scriptFake>>): Promise<string> {
  const requests = await fake.requests();
  expect(requests).toHaveLength(2);
  expect(requests[0]!.tools).toContain("await_signal");
  const tool = requests[1]!.messages.find((m) => m.role === "tool");
  expect(tool).toBeDefined();
  return typeof tool!.content === "string" ? tool!.content : JSON.stringify(tool!.content);
}

describe("await_signal in a turn", () => {
  it("waits for a code that arrives on another space's signal channel", async () => {
    const { agent, signals, fake } = await setup((id) => [awaitCall(id), { text: "Got it" }]);
    await sms(agent.channel, agent.account.token, OWNER, `log me in ${fake.marker}`);

    // Send the code only once the tool's watch is waiting, so this is not the lookback at work.
    const watch = await vi.waitFor(
      async () => {
        const list = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${signals.channel.id}`));
        const waiting = list.find((w) => w.status === "waiting");
        if (!waiting) throw new Error("no waiting watch yet");
        return waiting;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(watch).toMatchObject({ agent_id: agent.agent.id, channel_id: signals.channel.id });
    expect((await sms(signals.channel, signals.account.token, BANK, "Your code is 482913")).status).toBe(200);

    const [turn] = await settledTurns(agent.channel.id);
    expect(turn).toMatchObject({ status: "completed", tool_calls: ["await_signal"], steps: 2 });
    const result = JSON.parse(await toolResult(fake));
    expect(result).toMatchObject({ watch_id: watch.id, status: "matched", signal: { code: "482913", from: BANK, channel_id: signals.channel.id } });

    const sent = (await fakeState(agent.account.sid)).messages;
    expect(sent.map((m) => [m.to, m.body])).toEqual([[OWNER, "Got it"]]);
    expect((await fakeState(signals.account.sid)).messages).toHaveLength(0);
  });

  it("finds a code that arrived before the turn (lookback)", async () => {
    const { agent, signals, fake } = await setup((id) => [awaitCall(id, { lookback_s: 120 }), { text: "Got it" }]);
    expect((await sms(signals.channel, signals.account.token, BANK, "Your code is 771204")).status).toBe(200);
    await sms(agent.channel, agent.account.token, OWNER, `log me in ${fake.marker}`);

    const [turn] = await settledTurns(agent.channel.id);
    expect(turn.status).toBe("completed");
    expect(JSON.parse(await toolResult(fake))).toMatchObject({ status: "matched", signal: { code: "771204" } });
    expect((await fakeState(signals.account.sid)).messages).toHaveLength(0);
  });

  it("reports a timeout to the model, which still answers", async () => {
    const { agent, signals, fake } = await setup((id) => [awaitCall(id, { timeout_s: 1 }), { text: "No code came" }]);
    await sms(agent.channel, agent.account.token, OWNER, `log me in ${fake.marker}`);

    const [turn] = await settledTurns(agent.channel.id, 1, 20_000);
    expect(turn.status).toBe("completed");
    expect(JSON.parse(await toolResult(fake))).toMatchObject({ watch_id: expect.any(String), status: "timed_out" });
    expect((await fakeState(agent.account.sid)).messages.map((m) => m.body)).toEqual(["No code came"]);
    // The watch does not outlive the call: a later code is left for the next call's lookback.
    const [watch] = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${signals.channel.id}`));
    expect(watch.status).toBe("timed_out");
  });

  it("hands request mistakes back to the model as an error result", async () => {
    const { agent, fake } = await setup(() => [awaitCall("ch_missing"), { text: "Could not watch" }]);
    await sms(agent.channel, agent.account.token, OWNER, `log me in ${fake.marker}`);

    const [turn] = await settledTurns(agent.channel.id);
    expect(turn.status).toBe("completed");
    expect(JSON.parse(await toolResult(fake))).toEqual({ status: "error", message: expect.stringContaining("channel_id") });
  });
});
