// TwilioClient.listRecentMessages against the fake Twilio, which pages like Twilio: it walks next_page_uri until
// it reaches messages older than the window, and says when it stopped before that (so nothing is decided on it).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TwilioClient } from "../../../src/domain/twilio/rest";
import { fakeAccount, seedSentMessage } from "../../helpers/twilio";

const TO = "+15557770004";

describe("listRecentMessages", () => {
  it("walks the pages back to the window's start and keeps only messages created within it", async () => {
    const account = await fakeAccount();
    const from = account.numbers[0]!.phone_number;
    for (let i = 0; i < 60; i++) await seedSentMessage(account.sid, { to: TO, from, body: `old ${i}`, age_ms: 3 * 3600_000 });
    for (let i = 0; i < 130; i++) await seedSentMessage(account.sid, { to: TO, from, body: `new ${i}`, age_ms: 60_000 });
    await seedSentMessage(account.sid, { to: "+15557770005", from, body: "someone else", age_ms: 60_000 });
    const client = new TwilioClient({ baseUrl: env.TWILIO_API_BASE, accountSid: account.sid, authToken: account.token });
    const since = Date.now() - 3600_000;
    const all = await client.listRecentMessages({ To: TO, From: from, createdSince: since });
    expect(all.ok && all.value.complete).toBe(true);
    if (!all.ok) return;
    expect(all.value.messages).toHaveLength(130);
    expect(all.value.messages.every((m) => m.body.startsWith("new ") && m.to === TO && m.created >= since - 1000)).toBe(true);

    const cut = await client.listRecentMessages({ To: TO, From: from, createdSince: since, maxPages: 1 });
    expect(cut.ok && cut.value.complete).toBe(false);
  });

  it("passes a failing list on as a failure", async () => {
    const account = await fakeAccount();
    await fetch(`${env.TWILIO_API_BASE}/__fake/accounts/${account.sid}/faults`, { method: "POST", body: JSON.stringify({ match: "Messages.json", method: "GET", status: 503, code: 20503 }) });
    const client = new TwilioClient({ baseUrl: env.TWILIO_API_BASE, accountSid: account.sid, authToken: account.token });
    const res = await client.listRecentMessages({ To: TO, From: account.numbers[0]!.phone_number, createdSince: Date.now() });
    expect(res).toMatchObject({ ok: false, error: { kind: "server", status: 503 } });
  });
});
