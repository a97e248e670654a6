// The Twilio emulator's state file: what `npm start` relies on to keep a Connected channel receiving texts after a
// restart. Started twice on one file, it must remember numbers' SmsUrl, messages, the phone page's thread and the
// media of its MMS (the app may still be downloading them, or retry after a restart); a
// file it cannot use must stop it with a message that says what to do, not a stack trace.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmulatorStateError, startFakeTwilio, type FakeTwilio } from "../../emulator/twilio.ts";
import { MAX_MEDIA_BYTES, MAX_MESSAGES } from "../../emulator/persist.ts";

const NUMBER = "+15005550006";
const PHONE = "+15551230000";
let dir: string;
let file: string;
const running: FakeTwilio[] = [];

async function start() {
  const emulator = await startFakeTwilio(0, { stateFile: file });
  running.push(emulator);
  return emulator;
}

async function stop(emulator: FakeTwilio) {
  running.splice(running.indexOf(emulator), 1);
  await emulator.close();
}

/** A stand-in for the app's webhook: answers every text 200 with empty TwiML and remembers what came. */
async function app(): Promise<{ url: string; forms: URLSearchParams[]; server: Server }> {
  const forms: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      forms.push(new URLSearchParams(body));
      res.writeHead(200, { "content-type": "text/xml" }).end("<Response/>");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`, forms, server };
}

const twilio = (emulator: FakeTwilio, acct: { sid: string; token: string }, method: string, p: string, form?: Record<string, string>) =>
  fetch(`${emulator.url}/2010-04-01/Accounts/${acct.sid}/${p}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${acct.sid}:${acct.token}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: form && new URLSearchParams(form).toString(),
  });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "textgate-emulator-"));
  file = path.join(dir, "state", "twilio-emulator.json");
});
afterEach(async () => {
  for (const e of running.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the emulator's state file", () => {
  it("keeps a number's SmsUrl, the messages and the phone's thread across a restart", async () => {
    const hook = await app();
    try {
      const first = await start();
      const acct = first.ensureAccount({ sid: `AC${"0".repeat(32)}`, token: "tok", numbers: [{ phone_number: NUMBER }] });
      const pn = acct.numbers[0]!.sid;
      // What textgate does when a channel connects: point the number's SmsUrl at the channel.
      expect((await twilio(first, acct, "POST", `IncomingPhoneNumbers/${pn}.json`, { SmsUrl: hook.url, SmsMethod: "POST" })).status).toBe(200);
      expect((await twilio(first, acct, "POST", "Messages.json", { To: PHONE, From: NUMBER, Body: "a reply" })).status).toBe(201);
      const sent = await fetch(`${first.url}/__fake/phone/send`, { method: "POST", body: JSON.stringify({ from: PHONE, to: NUMBER, body: "after the reply" }) });
      expect(await sent.json()).toMatchObject({ status: 200 });
      await stop(first);

      const second = await start();
      // The account npm start ensures again is the saved one: same number, same SmsUrl.
      const again = second.ensureAccount({ sid: acct.sid, token: "tok", numbers: [{ phone_number: NUMBER }] });
      expect(again.numbers).toEqual([expect.objectContaining({ sid: pn, sms_url: hook.url, sms_method: "POST" })]);
      const number = await (await twilio(second, acct, "GET", `IncomingPhoneNumbers/${pn}.json`)).json();
      expect(number).toMatchObject({ sid: pn, sms_url: hook.url });
      // A Connected channel still receives texts: the emulator still knows where to send them.
      expect(await second.sendInbound(acct.sid, { from: PHONE, body: "hello again" })).toMatchObject({ status: 200 });
      expect(hook.forms.map((f) => f.get("Body"))).toEqual(["after the reply", "hello again"]);
      // The phone page shows the thread from before the restart, in order.
      const state = await (await fetch(`${second.url}/__fake/phone/state?from=${encodeURIComponent(PHONE)}&to=${encodeURIComponent(NUMBER)}`)).json();
      expect(state.conversation.map((m: { direction: string; body: string }) => `${m.direction}:${m.body}`)).toEqual(["outbound:a reply", "inbound:after the reply"]);
      expect(state.numbers).toEqual([{ account_sid: acct.sid, phone_number: NUMBER, connected: true }]);
    } finally {
      hook.server.close();
    }
  });

  it("keeps an MMS's media across a restart: the app can still fetch it, and the phone still shows it", async () => {
    const hook = await app();
    try {
      const first = await start();
      const acct = first.ensureAccount({ sid: `AC${"1".repeat(32)}`, token: "tok", numbers: [{ phone_number: NUMBER }] });
      await twilio(first, acct, "POST", `IncomingPhoneNumbers/${acct.numbers[0]!.sid}.json`, { SmsUrl: hook.url, SmsMethod: "POST" });
      const png = Buffer.from("a picture's bytes");
      const sent = await fetch(`${first.url}/__fake/phone/send`, {
        method: "POST",
        body: JSON.stringify({ from: PHONE, to: NUMBER, body: "", media: [{ content_type: "image/png", data_b64: png.toString("base64") }] }),
      });
      expect(await sent.json()).toMatchObject({ status: 200, message_sid: expect.stringMatching(/^MM/) });
      const mediaUrl = new URL(hook.forms[0]!.get("MediaUrl0")!);
      expect(hook.forms[0]!.get("NumMedia")).toBe("1");
      await stop(first);

      const second = await start();
      // The same path on the restarted emulator (its port may differ) still redirects to the bytes.
      const api = await fetch(`${second.url}${mediaUrl.pathname}`, { redirect: "manual", headers: { authorization: `Basic ${Buffer.from(`${acct.sid}:tok`).toString("base64")}` } });
      expect(api.status).toBe(307);
      const cdn = await fetch(api.headers.get("location")!);
      expect(Buffer.from(await cdn.arrayBuffer())).toEqual(png);
      const state = await (await fetch(`${second.url}/__fake/phone/state?from=${encodeURIComponent(PHONE)}&to=${encodeURIComponent(NUMBER)}`)).json();
      expect(state.conversation).toEqual([expect.objectContaining({ direction: "inbound", media: [`/__cdn/${mediaUrl.pathname.split("/Media/")[1]}`] })]);
      expect((await fetch(`${second.url}${state.conversation[0].media[0]}`)).status).toBe(200);
    } finally {
      hook.server.close();
    }
  });

  it("keeps media bounded: the newest items within the byte budget", async () => {
    const emulator = await start();
    const acct = emulator.addAccount({ numbers: [{ phone_number: NUMBER }] });
    const add = (size: number) => fetch(`${emulator.url}/__fake/accounts/${acct.sid}/media`, { method: "POST", body: JSON.stringify({ media: [{ content_type: "image/jpeg", size }] }) });
    const third = Math.floor(MAX_MEDIA_BYTES / 3);
    for (let i = 0; i < 4; i++) expect((await add(third)).status).toBe(201);
    await stop(emulator);
    const saved = JSON.parse(readFileSync(file, "utf8")).media;
    expect(saved).toHaveLength(3);
  });

  it("writes whole files only: no temporary file is left, and what is there parses", async () => {
    const emulator = await start();
    const acct = emulator.addAccount({ numbers: [{ phone_number: NUMBER }] });
    await Promise.all(Array.from({ length: 20 }, (_, i) => twilio(emulator, acct, "POST", "Messages.json", { To: PHONE, From: NUMBER, Body: `m${i}` })));
    await stop(emulator);
    expect(readdirSync(path.dirname(file))).toEqual(["twilio-emulator.json"]);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved.accounts[0].messages).toHaveLength(20);
  });

  it("stays bounded: the oldest messages go first", async () => {
    const emulator = await start();
    const acct = emulator.addAccount({ numbers: [{ phone_number: NUMBER }] });
    for (let i = 0; i < MAX_MESSAGES + 5; i++) {
      acct.messages.push({ sid: `SM${i}`, to: PHONE, from: NUMBER, body: `m${i}`, status: "delivered", status_callback: null, num_segments: "1", date_created: "", date_sent: null, direction: "outbound-api", error_code: null, messaging_service_sid: null });
    }
    expect((await twilio(emulator, acct, "POST", "Messages.json", { To: PHONE, From: NUMBER, Body: "newest" })).status).toBe(201);
    await stop(emulator);
    const messages = JSON.parse(readFileSync(file, "utf8")).accounts[0].messages;
    expect(messages).toHaveLength(MAX_MESSAGES);
    expect(messages[0].body).toBe("m6");
    expect(messages.at(-1).body).toBe("newest");
  });

  it.each([
    ["cut short", '{"version":1,"accounts":[{"sid":"AC0'],
    ["not JSON", "not json at all"],
    ["another shape", JSON.stringify({ version: 1, accounts: [{ sid: "AC1" }], phone_texts: [] })],
    ["a version it does not know", JSON.stringify({ version: 7, accounts: [], phone_texts: [] })],
  ])("refuses a file that is %s, naming the file and how to start afresh", async (_what, text) => {
    const hook = mkdtempSync(path.join(dir, "x"));
    file = path.join(hook, "twilio-emulator.json");
    writeFileSync(file, text);
    const started = startFakeTwilio(0, { stateFile: file });
    await expect(started).rejects.toThrow(EmulatorStateError);
    await expect(started).rejects.toThrow(`rm ${file}`);
    // Left as it was, for the user to look at.
    expect(readFileSync(file, "utf8")).toBe(text);
  });
});
