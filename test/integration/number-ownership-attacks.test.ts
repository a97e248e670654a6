// Red-team tests for "a number belongs to one channel" (issue 14 §1): a create and a PATCH racing for one number, a
// delete racing a create for its number, and a channel moved to another number by PATCH, which must let go of the
// number it leaves (its SmsUrl pointed here: texts to it were refused, and deleting the channel never cleared it).
import { describe, expect, it } from "vitest";
import { api, json, seedAgent } from "../helpers/api";
import { changeNumberElsewhere, createChannel, fakeAccount, fakeState, type FakeAccount } from "../helpers/twilio";

const N1 = "+15550004441";
const N2 = "+15550004442";

async function setup() {
  const account = await fakeAccount([{ phone_number: N1 }, { phone_number: N2 }]);
  const on = await seedAgent();
  const create = (number: string) => createChannel(account, number, on);
  return { account, create };
}
const smsUrlOf = async (account: FakeAccount, number: string) => (await fakeState(account.sid)).numbers.find((n) => n.phone_number === number)!.sms_url;

describe("racing for one number", () => {
  it("a create and a PATCH moving another channel onto it: exactly one gets it, and the number points at that one", async () => {
    const { account, create } = await setup();
    const mover = await json(create(N2));
    const [created, moved] = await Promise.all([create(N1), api("PATCH", `/api/channels/${mover.id}`, { config: { from_number: N1 } })]);
    expect([created.status, moved.status]).toSatisfy(([c, m]) => (c === 201 && m === 409) || (c === 409 && m === 200));
    const winners = [created.status === 201 ? await created.json<any>() : null, moved.status === 200 ? await moved.json<any>() : null].filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(await smsUrlOf(account, N1)).toBe(winners[0].webhook_url);
  });

  it("a delete and a create for its number: if the create wins the number, the delete did not clear it", async () => {
    const { account, create } = await setup();
    const old = await json(create(N1));
    const [deleted, created] = await Promise.all([api("DELETE", `/api/channels/${old.id}`), create(N1)]);
    expect(deleted.status).toBe(200);
    if (created.status === 201) expect(await smsUrlOf(account, N1)).toBe((await created.json<any>()).webhook_url);
    else expect(created.status).toBe(409);
  });
});

describe("a channel moved to another number", () => {
  it("clears the SmsUrl it set on the number it leaves, and leaves one pointing elsewhere alone", async () => {
    const { account, create } = await setup();
    const channel = await json(create(N1));
    expect(await smsUrlOf(account, N1)).toBe(channel.webhook_url);
    const moved = await api("PATCH", `/api/channels/${channel.id}`, { config: { from_number: N2 } });
    expect(moved.status).toBe(200);
    expect(await smsUrlOf(account, N2)).toBe(channel.webhook_url);
    expect(await smsUrlOf(account, N1)).toBe("");

    // Back to N1, after someone pointed N2 elsewhere: N2 is not ours to clear any more.
    await changeNumberElsewhere(account.sid, N2, { sms_url: "https://other.example/sms" });
    expect((await api("PATCH", `/api/channels/${channel.id}`, { config: { from_number: N1 } })).status).toBe(200);
    expect(await smsUrlOf(account, N1)).toBe(channel.webhook_url);
    expect(await smsUrlOf(account, N2)).toBe("https://other.example/sms");
  });

  it("lets go of the old number even when the new one cannot be registered, and checks the new one from then on", async () => {
    const account = await fakeAccount([{ phone_number: N1 }, { phone_number: N2, sms: false }]);
    const channel = await json(createChannel(account, N1, await seedAgent()));
    const moved = await json(api("PATCH", `/api/channels/${channel.id}`, { config: { from_number: N2 } }));
    expect(moved).toMatchObject({ status: "failed", error: { code: "not_sms_capable" } });
    expect(await smsUrlOf(account, N1)).toBe("");
    const reads = (await fakeState(account.sid)).requests.length;
    await api("GET", `/api/channels/${channel.id}/diagnostics`);
    expect((await fakeState(account.sid)).requests.slice(reads)).toContainEqual({ method: "GET", path: "IncomingPhoneNumbers.json", form: {} });
  });
});
