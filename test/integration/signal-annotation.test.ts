// A message's record says which signal watch took it, and stays true when a watch takes it later, through its
// lookback: the settings page must never say "no signal watch has taken it" of a code a watch has.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";
import { signalText } from "../../src/ui/words";

freshStorageEachTest();

const BANK = "+15550009999";
const messages = (channelId: string) => json<any[]>(api("GET", `/api/channels/${channelId}/messages`));
const watch = (body: Record<string, unknown>) => json(api("POST", "/api/signals/watches", { timeout_s: 60, lookback_s: 120, ...body }));

describe("a signal's record over time", () => {
  it("names the channel watch that took the code through its lookback, after the code arrived", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, BANK, "Your code is 123456");
    const [before] = await messages(channel.id);
    expect(before.meta.watch_id).toBeNull();
    expect(signalText(before.meta)).toBe("Code 123456; verification_code; no signal watch has taken it yet.");

    const w = await watch({ agent_id: agent.id, channel_id: channel.id });
    expect(w).toMatchObject({ status: "matched", signal: { code: "123456", message_id: before.id } });
    const [after] = await messages(channel.id);
    expect(after.meta).toMatchObject({ watch_id: w.id, annotation: { code: "123456" } });
    expect(signalText(after.meta)).toBe(`Code 123456; verification_code; taken by signal watch ${w.id}.`);
  });

  it("names a watch on any signal-mode channel that took it the same way", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, BANK, "Your code is 654321");
    const w = await watch({ agent_id: agent.id });
    expect(w).toMatchObject({ status: "matched", channel_id: null, signal: { code: "654321" } });
    const [m] = await messages(channel.id);
    expect(m.meta.watch_id).toBe(w.id);
  });

  it("leaves a code no watch fits as not taken", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, BANK, "Your code is 777777");
    expect(await watch({ agent_id: agent.id, channel_id: channel.id, contains: "bank" })).toMatchObject({ status: "waiting" });
    const [m] = await messages(channel.id);
    expect(m.meta.watch_id).toBeNull();
  });
});
