// The Twilio emulator (product code: `npm start` runs it) serves media the way Twilio does — Basic auth on the API
// path, a 307 to a short-lived CDN URL that needs none, DELETE to remove — and takes MediaUrl on Messages create
// with Twilio's rules (Body or media, at most 10). In emulator mode (auto_status) it fetches an MMS's media before
// it reports the message sent, and fails it with 11200 when it cannot, as Twilio does.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { fakeAccount, fakeState, PNG_B64 } from "../helpers/twilio";

const basic = (sid: string, token: string) => ({ authorization: `Basic ${btoa(`${sid}:${token}`)}` });

describe("the emulator's media", () => {
  it("answers a media URL only with the account's credentials, by a redirect to a CDN URL that serves the bytes", async () => {
    const account = await fakeAccount();
    const made = await (await fetch(`${env.TWILIO_API_BASE}/__fake/accounts/${account.sid}/media`, { method: "POST", body: JSON.stringify({ media: [{ content_type: "image/png", data_b64: PNG_B64 }] }) })).json<any>();
    expect(made.message_sid).toMatch(/^MM[0-9a-f]{32}$/);
    const url = made.params.MediaUrl0 as string;
    expect(url).toMatch(new RegExp(`^${env.TWILIO_API_BASE}/2010-04-01/Accounts/${account.sid}/Messages/${made.message_sid}/Media/ME[0-9a-f]{32}$`));
    expect(made.params).toMatchObject({ NumMedia: "1", MediaContentType0: "image/png" });

    const anonymous = await fetch(url, { redirect: "manual" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 20003, status: 401 });

    const api = await fetch(url, { redirect: "manual", headers: basic(account.sid, account.token) });
    expect(api.status).toBe(307);
    const cdn = api.headers.get("location")!;
    expect(cdn).toMatch(/\/__cdn\/ME[0-9a-f]{32}\?Expires=\d+/);
    const bytes = await fetch(cdn);
    expect(bytes.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0)));

    expect((await fetch(`${url}.json`, { method: "DELETE", headers: basic(account.sid, account.token) })).status).toBe(204);
    expect((await fetch(url, { redirect: "manual", headers: basic(account.sid, account.token) })).status).toBe(404);
  });

  it("creates an MMS from MediaUrl (repeated), with or without a Body, under Twilio's limits", async () => {
    const account = await fakeAccount();
    const create = (form: [string, string][]) =>
      fetch(`${env.TWILIO_API_BASE}/2010-04-01/Accounts/${account.sid}/Messages.json`, {
        method: "POST",
        headers: { ...basic(account.sid, account.token), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
    const base: [string, string][] = [["To", "+15557770100"], ["From", account.numbers[0]!.phone_number]];
    const ok = await create([...base, ["MediaUrl", "https://tg.example/m/a"], ["MediaUrl", "https://tg.example/m/b"]]);
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ sid: expect.stringMatching(/^MM/), num_media: "2", body: "" });
    expect((await fakeState(account.sid)).requests.at(-1)).toMatchObject({ media_urls: ["https://tg.example/m/a", "https://tg.example/m/b"] });

    const neither = await create(base);
    expect(neither.status).toBe(400);
    expect(await neither.json()).toMatchObject({ code: 21619 });
    const eleven = await create([...base, ["Body", "x"], ...Array.from({ length: 11 }, (_, i): [string, string] => ["MediaUrl", `https://tg.example/m/${i}`])]);
    expect(await eleven.json()).toMatchObject({ code: 21623, status: 400 });
  });

  it("in emulator mode, sends an MMS whose media it could fetch and fails one it could not with 11200", async () => {
    const account = await (await fetch(`${env.TWILIO_API_BASE}/__fake/accounts`, { method: "POST", body: JSON.stringify({ numbers: [{ phone_number: "+15550001112" }], auto_status: true }) })).json<any>();
    const made = await (await fetch(`${env.TWILIO_API_BASE}/__fake/accounts/${account.sid}/media`, { method: "POST", body: JSON.stringify({ media: [{ content_type: "image/png", data_b64: PNG_B64 }] }) })).json<any>();
    const reachable = `${env.TWILIO_API_BASE}/__cdn/${made.params.MediaUrl0.split("/Media/")[1]}`;
    const send = async (mediaUrl: string) => {
      const res = await fetch(`${env.TWILIO_API_BASE}/2010-04-01/Accounts/${account.sid}/Messages.json`, {
        method: "POST",
        headers: { ...basic(account.sid, account.token), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams([["To", "+15557770100"], ["From", "+15550001112"], ["Body", "a picture"], ["MediaUrl", mediaUrl]]).toString(),
      });
      return (await res.json<any>()).sid as string;
    };
    const good = await send(reachable);
    const bad = await send(`${env.TWILIO_API_BASE}/__cdn/ME${"0".repeat(32)}`);
    await vi.waitFor(async () => {
      const messages = (await fakeState(account.sid)).messages;
      expect(messages.find((m) => m.sid === good)).toMatchObject({ status: "delivered" });
      expect(messages.find((m) => m.sid === bad)).toMatchObject({ status: "failed", error_code: 11200 });
    }, { timeout: 5_000 });
  });
});
