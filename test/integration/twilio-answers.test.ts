// A surprising answer from Twilio (a proxy's page, a changed API) is a clear twilio_error on the channel, the way a
// refusal is: the channel is created, shows why it failed, and the diagnostics say the same. Never a 500.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { fakeAccount, injectFault } from "../helpers/twilio";

async function create(account: { sid: string; token: string; numbers: { phone_number: string }[] }) {
  const space = await json(api("POST", "/api/spaces", { name: "Home" }));
  const agent = await json(api("POST", "/api/agents", { name: "Assistant", space_id: space.id }));
  const config = { account_sid: account.sid, auth_token: account.token, from_number: account.numbers[0]!.phone_number };
  return api("POST", "/api/channels", { provider: "twilio_sms", space_id: space.id, agent_id: agent.id, config });
}

describe("Twilio answers of the wrong shape", () => {
  it("registering: a number list that is no list fails the channel with twilio_error naming the field", async () => {
    const account = await fakeAccount();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers.json", body: '{"incoming_phone_numbers":{"sid":"PN1"}}' });
    const res = await create(account);
    expect(res.status).toBe(201);
    const channel = await res.json<any>();
    expect(channel).toMatchObject({ status: "failed", error: { code: "twilio_error", message: expect.stringMatching(/incoming_phone_numbers/) } });
  });

  it("pointing the number: an update answered with HTML fails the channel with twilio_error", async () => {
    const account = await fakeAccount();
    await injectFault(account.sid, { match: "IncomingPhoneNumbers/", method: "POST", body: "<html>502 Bad Gateway</html>" });
    const channel = await json(create(account));
    expect(channel).toMatchObject({ status: "failed", error: { code: "twilio_error", message: expect.stringMatching(/not JSON/) } });
  });
});
