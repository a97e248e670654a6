// Red-team tests for channel diagnostics (issue 14 §2): a check still running when "Point it back" repairs the
// number, Twilio answers that are not what its API documents, and the hourly check after the channel is gone.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, json } from "../helpers/api";
import { changeNumberElsewhere, fakeState, injectFault, seedChannel } from "../helpers/twilio";

afterEach(() => {
  clock.now = () => Date.now();
  vi.useRealTimers();
});

const diagnostics = (id: string) => api("GET", `/api/channels/${id}/diagnostics`);
const check = (d: any, id: string) => d.checks.find((c: any) => c.id === id);
const objectOf = (channelId: string) => env.CHANNEL.get(env.CHANNEL.idFromName(channelId));
const numberReads = async (sid: string) => (await fakeState(sid)).requests.filter((r) => r.method === "GET" && r.path.startsWith("IncomingPhoneNumbers/PN")).length;

describe("a check that was running when the number was pointed back", () => {
  it("neither stores its stale result nor puts the drift back on the repaired channel", async () => {
    const { account, channel } = await seedChannel();
    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_url: "https://other.example/sms" });
    // Twilio is slow to answer the check's read of the number, and what it answers is the drifted SmsUrl it read.
    const drifted = (await fakeState(account.sid)).numbers[0];
    await injectFault(account.sid, { match: "IncomingPhoneNumbers/PN", method: "GET", delay_ms: 700, status: 200, body: JSON.stringify(drifted) });
    const reads = await numberReads(account.sid);
    const running = diagnostics(channel.id);
    await vi.waitFor(async () => expect(await numberReads(account.sid)).toBe(reads + 1), { timeout: 5000, interval: 20 });

    // Meanwhile the owner presses Point it back: the number is ours again.
    expect((await json(api("POST", `/api/channels/${channel.id}/connect`))).error).toBeNull();
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe(channel.webhook_url);

    // The slow check answers its own caller with what it read…
    expect(check(await json(running), "sms_url").status).toBe("warn");
    // …but the channel stays repaired, and the next look (within the few seconds a result is reused) checks again.
    expect((await json(api("GET", `/api/channels/${channel.id}`))).error).toBeNull();
    expect(check(await json(diagnostics(channel.id)), "sms_url").status).toBe("ok");
  });
});

describe("Twilio answers that are not what its API documents", () => {
  const garbage: [string, unknown][] = [
    ["fields of the wrong type", { sid: "PN1", phone_number: 15550001111, sms_url: 42, sms_method: ["POST"], capabilities: "sms" }],
    ["null", null],
  ];
  for (const [what, body] of garbage) {
    it(`the number read as ${what}: diagnostics still answer 200, the credentials warn and say why`, async () => {
      const { account, channel } = await seedChannel();
      await injectFault(account.sid, { match: "IncomingPhoneNumbers/PN", method: "GET", status: 200, body: JSON.stringify(body) });
      const res = await diagnostics(channel.id);
      expect(res.status).toBe(200);
      const d = await res.json<any>();
      expect(check(d, "credentials")).toMatchObject({ status: "warn", message: expect.stringContaining("with a body textgate does not understand") });
      expect(check(d, "sms_url").status).toBe("warn");
    });
  }

  it("a huge error message from Twilio is cut down before it is stored and shown", async () => {
    const { account, channel } = await seedChannel();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers", status: 500, code: 20500, message: `<b>down</b>${"x".repeat(200_000)}` });
    const d = await json(diagnostics(channel.id));
    const message: string = check(d, "credentials").message;
    expect(message).toContain("<b>down</b>");
    expect(message.length).toBeLessThan(2_000);
  });
});

describe("the hourly check after the channel was deleted", () => {
  it("is gone with it: deleting the channel leaves no alarm and no schedule rows behind", async () => {
    const { channel } = await seedChannel();
    expect(await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.getAlarm())).not.toBeNull();
    expect((await api("DELETE", `/api/channels/${channel.id}`)).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    expect(await runDurableObjectAlarm(objectOf(channel.id))).toBe(false);
    const tables = await runInDurableObject(objectOf(channel.id), (_o, state) => state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schedules'`).toArray());
    expect(tables).toEqual([]);
    expect((await api("GET", `/api/channels/${channel.id}`)).status).toBe(404);
  });
});
