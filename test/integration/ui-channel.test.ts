// A channel page's controls in workerd: the signal-mode banner and the confirmation before switching, the signal
// watches card (listed by what each waits for, cancellable), deleting the channel, and HTML for unknown pages.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { get, signIn } from "../helpers/session";
import { changeNumberElsewhere, pair, seedChannel } from "../helpers/twilio";

freshStorageEachTest();

const page = async (s: { cookie: string }, path: string) => (await get(path, { cookie: s.cookie })).text();
/** Text a person sees: tags dropped, entities decoded. */
const visible = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

describe("signal mode on the channel page", () => {
  it("asks before switching to signal mode, and the banner then describes signal mode", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, "+15557770001");
    const s = await signIn();
    const mode = await page(s, `/settings/channels/${channel.id}/parts/mode`);
    expect(mode).toMatch(/value="signal"[^>]*data-confirm="Switch \+15550001111 to signal mode\? The agent stops replying to texts on this number\./);
    expect(mode).not.toMatch(/value="message"[^>]*data-confirm/);

    await api("PATCH", `/api/channels/${channel.id}`, { dispatch_mode: "signal" });
    const banner = visible(await page(s, `/settings/channels/${channel.id}/parts/channel`));
    expect(banner).toContain("Connected, in signal mode. Texts to +15550001111 are matched against signal watches; Assistant does not reply to them.");
    expect(banner).not.toContain("go to Assistant");
  });

  it("lists watches by what they wait for, with Cancel on waiting ones, and never shows only an id", async () => {
    const { channel, agent } = await seedChannel({ dispatch_mode: "signal" });
    const s = await signIn();
    const w = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, from: "+15550009999", contains: "bank", timeout_s: 230, lookback_s: 0 }));
    const any = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, timeout_s: 30, lookback_s: 0 }));

    const html = await page(s, `/settings/channels/${channel.id}`);
    expect(html).toMatch(/<section class="card" data-watches/);
    expect(html).not.toMatch(/data-watches[^>]*hidden/);
    expect(html).toContain('data-form="new-watch"');
    expect(html).toContain(`data-agent-id="${agent.id}"`);
    const part = await page(s, `/settings/channels/${channel.id}/parts/watches`);
    const text = visible(part);
    expect(text).toContain('Code from +15550009999 containing "bank" · 4 min left');
    expect(text).toContain("Any code · less than a minute left");
    expect(text).not.toContain(w.id);
    expect(part).toContain(`data-action="DELETE /api/signals/watches/${w.id}"`);

    await api("DELETE", `/api/signals/watches/${any.id}`);
    const after = visible(await page(s, `/settings/channels/${channel.id}/parts/watches`));
    expect(after).toMatch(/Recently settled Any code · cancelled/);
  });

  it("hides the watches card in message mode", async () => {
    const { channel } = await seedChannel();
    const s = await signIn();
    expect(await page(s, `/settings/channels/${channel.id}`)).toMatch(/data-watches[^>]*hidden/);
  });
});

describe("deleting a channel from its page", () => {
  it("offers Delete with a confirmation that says what happens to the number's SmsUrl", async () => {
    const { channel } = await seedChannel();
    const s = await signIn();
    const html = await page(s, `/settings/channels/${channel.id}`);
    expect(html).toMatch(/data-delete-channel="true" data-confirm="Delete channel sms \(\+15550001111\)\? [^"]*the number&#39;s SmsUrl is cleared if it still points at this channel; if it points somewhere else now, it is left as it is\."/);
  });

  it("the API says when the SmsUrl was left alone, which the page shows", async () => {
    const { channel, account } = await seedChannel();
    await changeNumberElsewhere(account.sid, "+15550001111", { sms_url: "https://elsewhere.example/sms" });
    expect(await json(api("DELETE", `/api/channels/${channel.id}`))).toMatchObject({
      sms_url_cleared: false,
      sms_url_left: { found: "https://elsewhere.example/sms", message: expect.stringContaining("left as it is") },
    });
  });
});

describe("unknown settings pages", () => {
  it("answer with the HTML not-found page, not JSON", async () => {
    const s = await signIn();
    for (const path of ["/settings/nope", "/settings/channels/ch_x/extra", "/settings/policies/old"]) {
      const res = await get(path, { cookie: s.cookie });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("text/html");
      const html = await res.text();
      expect(html, path).toContain("<h1>Not found</h1>");
      expect(html, path).toContain('href="/settings/channels"');
    }
    // Signed out, they go to sign-in like any settings page.
    expect((await get("/settings/nope")).headers.get("location")).toBe("/sign-in?next=%2Fsettings%2Fnope");
  });
});

describe("the policies page", () => {
  it("shows the built-in policies, an example to start from, and a tester with the handles there are", async () => {
    await seedChannel({ handle: "assistant" });
    const s = await signIn();
    const html = await page(s, "/settings/policies");
    expect(html).toContain('data-testid="built-in-policies"');
    expect(html).toContain("base.paired_senders");
    expect(visible(html)).toContain("when { resource.sender.paired };");
    expect(html).toMatch(/data-example="\/\/ Your policies, on top of the built-in ones\./);
    expect(html).toContain("principal == Policy::Agent::&quot;assistant&quot;");
    expect(html).toContain('data-form="policy-check"');
    expect(html).toMatch(/<datalist id="agent-handles"><option value="assistant">Assistant<\/option><\/datalist>/);
    expect(html).toMatch(/<datalist id="channel-handles"><option value="sms">\+15550001111<\/option><\/datalist>/);
    expect(html).toContain('src="/ui/policy-check.js"');
  });

  it("the tester's API answers an empty field in words, on that field", async () => {
    const res = await api("POST", "/api/policies/check", { agent: "", action: "receive_message", channel: "sms", sender: "" });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.details.issues).toEqual([
      { path: "agent", message: "Enter an agent's handle" },
      { path: "sender", message: "Enter the sender's address: a phone number, short code or sender name of at most 64 characters" },
    ]);
  });
});
