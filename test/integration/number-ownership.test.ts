// A Twilio number belongs to one channel: a second channel (or a PATCH) naming an account + number another channel
// uses is refused with 409 number_in_use, whoever gets there first; deleting or disconnecting a channel clears the
// number's SmsUrl only while it still points at that channel, and says so when it was left alone.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { changeNumberElsewhere, fakeAccount, fakeState, seedChannel } from "../helpers/twilio";

const create = (space: string, agent: string, config: Record<string, string>) => api("POST", "/api/channels", { provider: "twilio_sms", space_id: space, agent_id: agent, config });

describe("a number belongs to one channel", () => {
  it("refuses a second channel for the same account and number, naming the channel that has it", async () => {
    const { account, space, agent, channel } = await seedChannel();
    const number = account.numbers[0]!;
    const res = await create(space.id, agent.id, { account_sid: account.sid, auth_token: account.token, from_number: number.phone_number });
    expect(res.status).toBe(409);
    const body = await res.json<any>();
    expect(body.error.code).toBe("number_in_use");
    expect(body.error.message).toContain(channel.handle);
    expect(body.error.message).toContain(channel.id);
    expect(body.error.details).toEqual({ field: "config.from_number", channel: { id: channel.id, handle: channel.handle } });
    // The first channel keeps the number: its SmsUrl was never touched by the refused create.
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe(channel.webhook_url);
    expect((await json(api("GET", "/api/channels"))).filter((c: any) => c.config.from_number === number.phone_number && c.config.account_sid === account.sid)).toHaveLength(1);
  });

  it("treats an Account SID written in uppercase as the same account", async () => {
    const { account, space, agent } = await seedChannel();
    const res = await create(space.id, agent.id, { account_sid: `AC${account.sid.slice(2).toUpperCase()}`, auth_token: account.token, from_number: account.numbers[0]!.phone_number });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("number_in_use");
  });

  it("lets only one of two concurrent creates for one number through", async () => {
    const account = await fakeAccount([{ phone_number: "+15550002222" }]);
    const space = await json(api("POST", "/api/spaces", { name: "Race" }));
    const agent = await json(api("POST", "/api/agents", { name: "Racer", space_id: space.id }));
    const config = { account_sid: account.sid, auth_token: account.token, from_number: "+15550002222" };
    const results = await Promise.all([1, 2, 3].map(() => create(space.id, agent.id, config)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
  });

  it("refuses a PATCH moving a channel onto another channel's number, and allows keeping its own", async () => {
    const account = await fakeAccount([{ phone_number: "+15550003331" }, { phone_number: "+15550003332" }]);
    const space = await json(api("POST", "/api/spaces", { name: "Two" }));
    const agent = await json(api("POST", "/api/agents", { name: "Two", space_id: space.id }));
    const first = await json(create(space.id, agent.id, { account_sid: account.sid, auth_token: account.token, from_number: "+15550003331" }));
    const second = await json(create(space.id, agent.id, { account_sid: account.sid, auth_token: account.token, from_number: "+15550003332" }));
    expect(second.status).toBe("pairing");

    const res = await api("PATCH", `/api/channels/${second.id}`, { config: { from_number: "+15550003331" } });
    expect(res.status).toBe(409);
    const err = (await res.json<any>()).error;
    expect(err.code).toBe("number_in_use");
    expect(err.details.channel).toEqual({ id: first.id, handle: first.handle });
    // Nothing changed: the second keeps its number, and the first number still points at the first channel.
    expect((await json(api("GET", `/api/channels/${second.id}`))).config.from_number).toBe("+15550003332");
    const numbers = (await fakeState(account.sid)).numbers;
    expect(numbers.find((n) => n.phone_number === "+15550003331")!.sms_url).toBe(first.webhook_url);

    // Its own number again (with other settings) is no conflict.
    expect((await api("PATCH", `/api/channels/${first.id}`, { config: { from_number: "+15550003331" }, dispatch_mode: "signal" })).status).toBe(200);
  });
});

describe("letting go of a number", () => {
  it("deleting a channel leaves an SmsUrl that points elsewhere alone, and says so", async () => {
    const { account, channel } = await seedChannel();
    const number = account.numbers[0]!;
    await changeNumberElsewhere(account.sid, number.phone_number, { sms_url: "https://other.example/sms" });
    const res = await json(api("DELETE", `/api/channels/${channel.id}`));
    expect(res).toMatchObject({ id: channel.id, deleted: true, sms_url_cleared: false });
    expect(res.sms_url_left).toEqual({ found: "https://other.example/sms", message: expect.stringContaining("https://other.example/sms") });
    const state = await fakeState(account.sid);
    expect(state.numbers[0]!.sms_url).toBe("https://other.example/sms");
    // It read the number (Twilio's instance path) and wrote nothing to it.
    expect(state.requests.filter((r) => r.path === `IncomingPhoneNumbers/${number.sid}.json`).map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  it("disconnecting leaves a foreign SmsUrl alone, and clears its own", async () => {
    const { account, channel } = await seedChannel();
    await changeNumberElsewhere(account.sid, account.numbers[0]!.phone_number, { sms_url: "https://other.example/sms" });
    const res = await json(api("POST", `/api/channels/${channel.id}/disconnect`));
    expect(res).toMatchObject({ status: "disconnected", error: null, sms_url_left: { found: "https://other.example/sms" } });
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe("https://other.example/sms");

    // Connected again, then disconnected: its own SmsUrl is cleared.
    await api("POST", `/api/channels/${channel.id}/connect`);
    const again = await json(api("POST", `/api/channels/${channel.id}/disconnect`));
    expect(again.sms_url_left).toBeUndefined();
    expect((await fakeState(account.sid)).numbers[0]!.sms_url).toBe("");
  });
});
