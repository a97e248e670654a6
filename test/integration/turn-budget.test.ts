// One time budget per turn: every await_signal call inside a turn waits at most what the turn has left, so the
// turn never outlives its lease (another run could start) or the Queue consumer's 15-minute limit.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { REPLY_RESERVE_MS, awaitSignalFor } from "../../src/agent/await-signal";
import { CONSUMER_LIMIT_MS, TURN_BUDGET_MS, TURN_LEASE_MS } from "../../src/channel/local-store";
import { api, json } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { settledTurns } from "../helpers/turns";
import { pair, seedChannel, sms } from "../helpers/twilio";

const BANK = "+15550009999";
const OWNER = "+15557770001";

describe("a turn's time budget", () => {
  it("cuts two await_signal waits whose timeouts together exceed it to what is left", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550002222" }] });
    // Two codes already here: each call takes one through its lookback, so no call waits in real time.
    for (const code of ["111111", "222222"]) expect((await sms(channel, account.token, BANK, `Your code is ${code}`)).status).toBe(200);

    const who = { kind: "agent" as const, agentId: agent.id };
    let clock = Date.now();
    const budget = { deadline: clock + REPLY_RESERVE_MS + 200_000, now: () => clock };
    const first = await awaitSignalFor(env, who, { channel_id: channel.id, timeout_s: 150, lookback_s: 600 }, { budget });
    expect(first).toMatchObject({ status: "matched" });
    clock += 150_000; // as if the first wait had taken its full 150 s
    const second = await awaitSignalFor(env, who, { channel_id: channel.id, timeout_s: 150, lookback_s: 600 }, { budget });
    expect(second).toMatchObject({ status: "matched" });

    const watches = await json<any[]>(api("GET", `/api/signals/watches?channel_id=${channel.id}`));
    const timeouts = Object.fromEntries(watches.map((w) => [w.id, w.filters.timeout_s]));
    expect(timeouts[(first as { watch_id: string }).watch_id]).toBe(150);
    expect(timeouts[(second as { watch_id: string }).watch_id]).toBe(50);

    // Nothing left: the call says so instead of waiting past the turn's end.
    clock += 50_000;
    expect(await awaitSignalFor(env, who, { channel_id: channel.id, timeout_s: 30 }, { budget })).toMatchObject({ status: "error", message: expect.stringContaining("no time left") });
  });

  it("is fixed when the turn begins, inside its lease, which is inside the consumer's limit", async () => {
    expect(TURN_BUDGET_MS).toBeLessThan(TURN_LEASE_MS);
    expect(TURN_LEASE_MS).toBeLessThan(CONSUMER_LIMIT_MS);
    const owner = await seedChannel();
    const signals = await seedChannel({ dispatch_mode: "signal", numbers: [{ phone_number: "+15550003333" }] });
    await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind("openai:gpt-test", owner.agent.id).run();
    await pair(owner.channel, owner.account.token, OWNER);
    const fake = await scriptFake([{ tool_calls: [{ name: "await_signal", arguments: { channel_id: signals.channel.id, timeout_s: 600, resume: false } }] }, { text: "Got it" }]);
    const started = Date.now();
    await sms(owner.channel, owner.account.token, OWNER, `log me in ${fake.marker}`);

    const watch = await vi.waitFor(
      async () => {
        const waiting = (await json<any[]>(api("GET", `/api/signals/watches?channel_id=${signals.channel.id}`))).find((w) => w.status === "waiting");
        if (!waiting) throw new Error("no waiting watch yet");
        return waiting;
      },
      { timeout: 10_000, interval: 50 },
    );
    // 600 s asked for; the turn's budget (from its begin) leaves less, reply time kept aside.
    expect(watch.filters.timeout_s).toBeLessThanOrEqual(Math.ceil((TURN_BUDGET_MS - REPLY_RESERVE_MS) / 1000));
    expect(Date.parse(watch.expires_at)).toBeLessThanOrEqual(Date.now() + TURN_BUDGET_MS - REPLY_RESERVE_MS);
    expect(Date.parse(watch.expires_at)).toBeGreaterThan(started);
    expect((await sms(signals.channel, signals.account.token, BANK, "Your code is 482913")).status).toBe(200);
    expect((await settledTurns(owner.channel.id))[0]).toMatchObject({ status: "completed" });
    // A whole turn on the real Queue (its waits above allow 10 s and 15 s): vitest's 5 s default cut it short under load.
  }, 30_000);
});
