// A pretend phone for the local Twilio emulator: GET /phone is a page that texts the emulator's numbers (as a real
// signed webhook, through sendInbound), with a picture attached if you like (an MMS whose media the emulator serves
// as Twilio does), and shows the conversation: the app's replies with their delivery status and their media.
// It texts from phone numbers, short codes (22000) and alphanumeric sender ids (BANK), as services do. Local only:
// the Node emulator serves it, never the deployed worker. Its JSON lives under /__fake/phone/.
import { z } from "zod";
import { type Route, json, route } from "./http.ts";
import { DEFAULT_PHONE, PHONE_HTML } from "./phone-page.ts";
import type { EmulatorState } from "./state.ts";
import { MediaInput } from "./media.ts";
import { sendInbound } from "./webhooks.ts";

const E164 = /^\+[1-9]\d{6,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
// At most 11 characters, and a letter in them (all digits would be a short code).
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const isSender = (s: string) => E164.test(s) || SHORT_CODE.test(s) || SENDER_ID.test(s);

const SendBody = z.object({
  from: z.string().refine(isSender, "a phone number such as +15551230000, a short code such as 22000 or a sender id such as BANK (up to 11 letters and digits)"),
  to: z.string().regex(E164, "one of the emulator's numbers"),
  body: z.string().max(1600),
  media: z.array(MediaInput.pick({ content_type: true, data_b64: true }).required()).max(10).default([]),
}).refine((m) => m.body.trim() !== "" || m.media.length > 0, { path: ["body"], message: "write something or attach a picture" });

export interface PhoneContext {
  state: EmulatorState;
  url: URL;
  raw: string;
}

/** The emulator's numbers, and the conversation between `from` and the number `to`, oldest first. */
function phoneState(state: EmulatorState, from: string, to: string) {
  const numbers = [...state.accounts.values()].flatMap((a) => a.numbers.map((n) => ({ account_sid: a.sid, phone_number: n.phone_number, connected: n.sms_url !== "" })));
  const messages = state.owner(to)?.messages ?? [];
  const index = new Map(messages.map((m, i) => [m.sid, i]));
  // A text sorts just after the last message the account had sent when it went out; replies come after it.
  const inbound = state.phoneTexts
    .filter((t) => t.from === from && t.to === to)
    .map((t) => ({
      key: [(t.after === null ? -1 : (index.get(t.after) ?? -1)) + 0.5, t.at],
      direction: "inbound",
      sid: t.sid,
      body: t.body,
      media: t.media,
      status: t.status === 200 ? "delivered to textgate" : `webhook failed: ${t.status || "no SmsUrl"} ${t.response.slice(0, 200)}`,
      ok: t.status === 200,
    }));
  const outbound = messages
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => m.to === from && m.from === to)
    .map(({ m, i }) => ({ key: [i, 0], direction: "outbound", sid: m.sid, body: m.body, media: m.media_urls ?? [], status: m.status, ok: m.status !== "failed" && m.status !== "undelivered" }));
  const conversation = [...inbound, ...outbound].sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]!).map(({ key: _key, ...rest }) => rest);
  return { numbers, conversation };
}

const noStore = { "cache-control": "no-store" };

export const phoneRoutes: Route<PhoneContext>[] = [
  route("GET", "/phone", () => ({ status: 200, body: PHONE_HTML, headers: { "content-type": "text/html; charset=utf-8", ...noStore } })),

  route("GET", "/__fake/phone/state", ({ state, url }) => ({
    status: 200,
    body: phoneState(state, url.searchParams.get("from") ?? DEFAULT_PHONE, url.searchParams.get("to") ?? ""),
    headers: noStore,
  })),

  route("POST", "/__fake/phone/send", async ({ state, raw }) => {
    let body: unknown = null;
    try {
      body = JSON.parse(raw || "{}");
    } catch {
      // Answered below as a body that does not match the schema.
    }
    const parsed = SendBody.safeParse(body);
    if (!parsed.success) return json(400, { error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    const { from, to, body: text, media } = parsed.data;
    const acct = state.owner(to);
    if (!acct) return json(404, { error: `${to} is not a number in the emulator` });
    const after = acct.messages.at(-1)?.sid ?? null;
    const at = Date.now();
    const result = await sendInbound(state, acct.sid, { from, to, body: text, media }).catch((e: unknown) => ({ status: 0, body: String(e), message_sid: "", media: [] }));
    state.phoneTexts.push({ account_sid: acct.sid, sid: result.message_sid, from, to, body: text, at, after, status: result.status, response: result.body, media: result.media });
    state.changed();
    return { status: 200, body: { status: result.status, message_sid: result.message_sid, response: result.body }, headers: noStore };
  }),
];
