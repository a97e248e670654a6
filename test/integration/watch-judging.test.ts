// The judge step of watches with instructions, on the real channel objects with a scripted judge: filters choose the
// candidates, the judge decides each in order, and only then does the watch match. Candidates wait in the object's
// SQLite, so a restart mid-judgment loses none; watches without instructions never wait for the judge.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { filtersDecide, watchJudge, type Judge } from "../../src/channel/watch-judging";
import { api, json } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";

const BANK = "+15550009999";

afterEach(() => {
  watchJudge.decide = filtersDecide;
  vi.useRealTimers();
});

const watch = (body: Record<string, unknown>) => json(api("POST", "/api/signals/watches", { timeout_s: 600, lookback_s: 0, ...body }));
const get = (id: string, query = "") => json(api("GET", `/api/signals/watches/${id}${query}`));
const queued = (channelId: string) =>
  runInDurableObject(env.CHANNEL.get(env.CHANNEL.idFromName(channelId)), (_o, state) => state.storage.sql.exec<{ signal_id: string }>(`SELECT signal_id FROM judge_queue`).toArray().length);

describe("a watch with instructions", () => {
  it("matches only the candidate its judge accepts, in arrival order; the rejected one stays free", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    const asked: string[] = [];
    watchJudge.decide = async (spec, signal) => {
      asked.push(`${spec.instructions}: ${signal.body}`);
      return signal.body.includes("Chase") ? { match: true } : { match: false, reason: "not the bank" };
    };
    const judged = await watch({ agent_id: agent.id, channel_id: channel.id, instructions: "the Chase login code" });
    await sms(channel, account.token, BANK, "Your Amazon code is 111111");
    await sms(channel, account.token, BANK, "Chase: 222222 is your code");
    expect(await get(judged.id, "?wait=10")).toMatchObject({ status: "matched", signal: { code: "222222" } });
    expect(asked).toEqual(["the Chase login code: Your Amazon code is 111111", "the Chase login code: Chase: 222222 is your code"]);
    // The candidate the judge turned down is still there for the next watch's lookback.
    expect(await watch({ agent_id: agent.id, channel_id: channel.id, lookback_s: 60 })).toMatchObject({ status: "matched", signal: { code: "111111" } });
  });

  it("keeps its candidates across a restart, while a watch without instructions takes a code at once", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const judge: Judge = async () => {
      calls++;
      await gate;
      return { match: true };
    };
    watchJudge.decide = judge;
    const judged = await watch({ agent_id: agent.id, channel_id: channel.id, mode: "continuous", instructions: "every parcel update", contains: "parcel" });
    const plain = await watch({ agent_id: agent.id, channel_id: channel.id });
    await sms(channel, account.token, BANK, "Your parcel code is 333333");
    // The deterministic watch has it already; the judged one's candidate is waiting on the (held) judge.
    expect(await get(plain.id)).toMatchObject({ status: "matched", signal: { code: "333333" } });
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000, interval: 10 });
    expect(await get(judged.id, "?after=0")).toMatchObject({ match_count: 0 });
    // The object restarts mid-judgment: the candidate is still queued, and the schedule's retry judges it again.
    await abortAllDurableObjects();
    release();
    expect(await queued(channel.id)).toBe(1);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 10_000);
    await runDurableObjectAlarm(env.CHANNEL.get(env.CHANNEL.idFromName(channel.id)));
    expect(calls).toBe(2);
    expect(await get(judged.id, "?after=0")).toMatchObject({ match_count: 1, matches: [{ seq: 1, signal: { code: "333333" } }] });
    expect(await queued(channel.id)).toBe(0);
  });
});
