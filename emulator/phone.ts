// A pretend phone for the local Twilio emulator: GET /phone is a page that texts the emulator's numbers (as a real
// signed webhook, through sendInbound) and shows the conversation, the app's replies with their delivery status.
// Local only: the Node emulator serves it, never the deployed worker. Its JSON lives under /__fake/phone/.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";

interface PhoneAccount {
  sid: string;
  numbers: { phone_number: string; sms_url: string }[];
  messages: { sid: string; to: string; from: string; body: string; status: string }[];
}

type SendInbound = (sid: string, msg: { from: string; to?: string; body: string }) => Promise<{ status: number; body: string; message_sid: string }>;

interface Sent {
  sid: string;
  from: string;
  to: string;
  body: string;
  at: number;
  /** How many messages the account had sent when this text went out: replies to it come after that index. */
  position: number;
  status: number;
  response: string;
}

export const DEFAULT_PHONE = "+15551230000";
const E164 = /^\+[1-9]\d{6,14}$/;
const SendBody = z.object({ from: z.string().regex(E164, "an E.164 number such as +15551230000"), to: z.string().regex(E164), body: z.string().min(1).max(1600) });

export function phoneRoutes(accounts: ReadonlyMap<string, PhoneAccount>, sendInbound: SendInbound) {
  const sent: Sent[] = [];
  const owner = (number: string) => [...accounts.values()].find((a) => a.numbers.some((n) => n.phone_number === number));

  function state(from: string, to: string) {
    const numbers = [...accounts.values()].flatMap((a) => a.numbers.map((n) => ({ account_sid: a.sid, phone_number: n.phone_number, connected: n.sms_url !== "" })));
    const acct = owner(to);
    const inbound = sent
      .filter((s) => s.from === from && s.to === to)
      .map((s) => ({ key: [s.position - 0.5, s.at], direction: "inbound", sid: s.sid, body: s.body, status: s.status === 200 ? "delivered to textgate" : `webhook failed: ${s.status || "no SmsUrl"} ${s.response.slice(0, 200)}`, ok: s.status === 200 }));
    const outbound = (acct?.messages ?? [])
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.to === from && m.from === to)
      .map(({ m, i }) => ({ key: [i, 0], direction: "outbound", sid: m.sid, body: m.body, status: m.status, ok: m.status !== "failed" && m.status !== "undelivered" }));
    const conversation = [...inbound, ...outbound].sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]!).map(({ key: _key, ...rest }) => rest);
    return { numbers, conversation };
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };

  /** Answers the phone's routes; returns false for anything else so the emulator handles it. */
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<boolean> {
    if (req.method === "GET" && url.pathname === "/phone") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PHONE_HTML);
      return true;
    }
    if (req.method === "GET" && url.pathname === "/__fake/phone/state") {
      send(res, 200, state(url.searchParams.get("from") ?? DEFAULT_PHONE, url.searchParams.get("to") ?? ""));
      return true;
    }
    if (req.method === "POST" && url.pathname === "/__fake/phone/send") {
      let json: unknown;
      try {
        json = JSON.parse(raw || "{}");
      } catch {
        json = null;
      }
      const parsed = SendBody.safeParse(json);
      if (!parsed.success) return send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }), true;
      const { from, to, body } = parsed.data;
      const acct = owner(to);
      if (!acct) return send(res, 404, { error: `${to} is not a number in the emulator` }), true;
      const position = acct.messages.length;
      const at = Date.now();
      const result = await sendInbound(acct.sid, { from, to, body }).catch((e: unknown) => ({ status: 0, body: String(e), message_sid: "" }));
      sent.push({ sid: result.message_sid, from, to, body, at, position, status: result.status, response: result.body });
      send(res, 200, { status: result.status, message_sid: result.message_sid, response: result.body });
      return true;
    }
    return false;
  };
}

const PHONE_HTML = String.raw`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emulator phone · textgate</title><link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --bg:#f2f3f5; --fg:#15171a; --muted:#555c66; --me:#0b57d0; --me-fg:#fff; --them:#fff; --line:#d3d7de; --bad:#a3111a; }
  @media (prefers-color-scheme: dark) { :root { --bg:#111317; --fg:#eef0f3; --muted:#a9b0bc; --me:#8ab4f8; --me-fg:#0b1a33; --them:#23262d; --line:#353a44; --bad:#ffb3b8; } }
  * { box-sizing: border-box; } body { margin: 0; font: 16px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
  main { max-width: 28rem; margin: 0 auto; min-height: 100vh; display: flex; flex-direction: column; padding: .75rem; gap: .6rem; }
  h1 { font-size: 1.2rem; margin: .25rem 0; } label { font-weight: 600; font-size: .9rem; display: block; margin-bottom: .2rem; }
  input, select, textarea, button { font: inherit; padding: .5rem .6rem; border-radius: 8px; border: 1px solid var(--line); background: var(--them); color: var(--fg); width: 100%; }
  button { background: var(--me); color: var(--me-fg); border-color: var(--me); font-weight: 700; width: auto; cursor: pointer; }
  .row { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; } .muted { color: var(--muted); font-size: .85rem; }
  #thread { flex: 1; list-style: none; margin: 0; padding: .5rem; display: flex; flex-direction: column; gap: .4rem; overflow-y: auto; border: 1px solid var(--line); border-radius: 10px; min-height: 16rem; }
  #thread li { max-width: 85%; padding: .45rem .7rem; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
  #thread li.inbound { align-self: flex-end; background: var(--me); color: var(--me-fg); }
  #thread li.outbound { align-self: flex-start; background: var(--them); border: 1px solid var(--line); }
  #thread small { display: block; opacity: .8; font-size: .75rem; margin-top: .15rem; } #thread li.bad small { color: var(--bad); font-weight: 700; opacity: 1; }
  form.compose { display: flex; gap: .5rem; align-items: flex-end; } form.compose textarea { flex: 1; resize: none; }
  :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; } .sr-only { position: absolute; left: -999px; }
</style></head>
<body><main>
  <h1>Emulator phone</h1>
  <p class="muted">Texts sent here reach textgate as signed Twilio webhooks. Local only.</p>
  <div class="row">
    <div><label for="from">This phone's number</label><input id="from" inputmode="tel" autocomplete="off"></div>
    <div><label for="to">Texting</label><select id="to"></select></div>
  </div>
  <p class="muted" id="hint" role="status"></p>
  <ol id="thread" aria-label="Conversation" aria-live="polite"></ol>
  <form class="compose" id="compose">
    <label for="body" class="sr-only">Message</label>
    <textarea id="body" rows="2" placeholder="Text message" required></textarea>
    <button type="submit" id="send">Send</button>
  </form>
  <p class="muted" id="error" role="alert"></p>
</main>
<script>
(function () {
  var from = document.getElementById("from"), to = document.getElementById("to"), thread = document.getElementById("thread");
  var hint = document.getElementById("hint"), error = document.getElementById("error"), body = document.getElementById("body");
  from.value = localStorage.getItem("phone.from") || "${DEFAULT_PHONE}";
  from.addEventListener("change", function () { localStorage.setItem("phone.from", from.value.trim()); thread.textContent = ""; last = ""; tick(); });
  to.addEventListener("change", function () { localStorage.setItem("phone.to", to.value); thread.textContent = ""; last = ""; tick(); });
  var last = "";
  async function tick() {
    var res = await fetch("/__fake/phone/state?from=" + encodeURIComponent(from.value.trim()) + "&to=" + encodeURIComponent(to.value || localStorage.getItem("phone.to") || ""));
    var s = await res.json();
    var wanted = to.value || localStorage.getItem("phone.to") || "";
    var options = s.numbers.map(function (n) { return n.phone_number + (n.connected ? "" : " (no channel yet)"); }).join("|");
    if (to.getAttribute("data-options") !== options) {
      to.textContent = "";
      s.numbers.forEach(function (n) { to.appendChild(new Option(n.phone_number + (n.connected ? "" : " (no channel yet)"), n.phone_number)); });
      if (s.numbers.some(function (n) { return n.phone_number === wanted; })) to.value = wanted;
      to.setAttribute("data-options", options);
      if (!wanted && to.value) return tick();
    }
    var current = s.numbers.find(function (n) { return n.phone_number === to.value; });
    hint.textContent = !s.numbers.length ? "The emulator has no numbers." : current && !current.connected ? to.value + " has no SmsUrl yet: add a channel for it in textgate first." : "";
    var json = JSON.stringify(s.conversation);
    if (json === last) return;
    last = json;
    thread.textContent = "";
    s.conversation.forEach(function (m) {
      var li = document.createElement("li");
      li.className = m.direction + (m.ok ? "" : " bad");
      li.setAttribute("data-direction", m.direction);
      li.setAttribute("data-status", m.status);
      li.textContent = m.body;
      var small = document.createElement("small");
      small.textContent = m.status;
      li.appendChild(small);
      thread.appendChild(li);
    });
    thread.scrollTop = thread.scrollHeight;
  }
  document.getElementById("compose").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    error.textContent = "";
    var text = body.value;
    if (!text.trim()) return;
    var res = await fetch("/__fake/phone/send", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from: from.value.trim(), to: to.value, body: text }) });
    var r = await res.json();
    if (!res.ok) { error.textContent = r.error; return; }
    if (r.status !== 200) error.textContent = "textgate answered HTTP " + r.status + ": " + r.response;
    body.value = "";
    tick();
  });
  body.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); document.getElementById("compose").requestSubmit(); } });
  tick();
  setInterval(tick, 1000);
})();
</script>
</body></html>`;
