// The emulator phone's page (served at GET /phone by phone.ts): one screen with the sender, the number it texts,
// the conversation (which scrolls, pictures shown) and the text box with a picture to attach. Plain HTML and a
// polling script, no build step.

export const DEFAULT_PHONE = "+15551230000";

export const PHONE_HTML = String.raw`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emulator phone · textgate</title><link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --bg:#f2f3f5; --fg:#15171a; --muted:#555c66; --me:#0b57d0; --me-fg:#fff; --them:#fff; --line:#d3d7de; --bad:#a3111a; }
  @media (prefers-color-scheme: dark) { :root { --bg:#111317; --fg:#eef0f3; --muted:#a9b0bc; --me:#8ab4f8; --me-fg:#0b1a33; --them:#23262d; --line:#353a44; --bad:#ffb3b8; } }
  * { box-sizing: border-box; } body { margin: 0; font: 16px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
  /* One screen tall: the thread scrolls inside it, so a long conversation never pushes the text box off screen. */
  main { max-width: 28rem; margin: 0 auto; height: 100vh; height: 100dvh; display: flex; flex-direction: column; padding: .75rem; gap: .6rem; }
  main > * { flex: none; }
  h1 { font-size: 1.2rem; margin: .25rem 0; } label { font-weight: 600; font-size: .9rem; display: block; margin-bottom: .2rem; }
  input, select, textarea, button { font: inherit; padding: .5rem .6rem; border-radius: 8px; border: 1px solid var(--line); background: var(--them); color: var(--fg); width: 100%; }
  button { background: var(--me); color: var(--me-fg); border-color: var(--me); font-weight: 700; width: auto; cursor: pointer; }
  .row { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; } .muted { color: var(--muted); font-size: .85rem; }
  #thread { flex: 1 1 auto; min-height: 6rem; list-style: none; margin: 0; padding: .5rem; display: flex; flex-direction: column; gap: .4rem; overflow-y: auto; border: 1px solid var(--line); border-radius: 10px; }
  #thread li { flex: none; }
  #thread li { max-width: 85%; padding: .45rem .7rem; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
  #thread li.inbound { align-self: flex-end; background: var(--me); color: var(--me-fg); }
  #thread li.outbound { align-self: flex-start; background: var(--them); border: 1px solid var(--line); }
  #thread small { display: block; opacity: .8; font-size: .75rem; margin-top: .15rem; } #thread li.bad small { color: var(--bad); font-weight: 700; opacity: 1; }
  form.compose { display: flex; gap: .5rem; align-items: flex-end; flex-wrap: wrap; } form.compose textarea { flex: 1; resize: none; }
  #thread img { display: block; max-width: 100%; max-height: 14rem; border-radius: 10px; margin: .25rem 0; }
  .attach { font-size: .85rem; display: flex; gap: .4rem; align-items: center; width: 100%; } .attach input { width: auto; padding: .2rem; }
  :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; } .sr-only { position: absolute; left: -999px; }
</style></head>
<body><main>
  <h1>Emulator phone</h1>
  <p class="muted">Texts sent here reach textgate as signed Twilio webhooks. Local only.</p>
  <div class="row">
    <div><label for="from">From</label><input id="from" list="senders" autocomplete="off" aria-describedby="from-hint">
      <datalist id="senders"><option value="${DEFAULT_PHONE}">a phone</option><option value="22000">a short code</option><option value="BANK">a sender id</option></datalist></div>
    <div><label for="to">To</label><select id="to"></select></div>
  </div>
  <p class="muted" id="from-hint">A phone number, or a short code (22000) or sender id (BANK) as services text from.</p>
  <p class="muted" id="hint" role="status"></p>
  <ol id="thread" aria-label="Conversation" aria-live="polite"></ol>
  <form class="compose" id="compose">
    <label for="body" class="sr-only">Message</label>
    <textarea id="body" rows="2" placeholder="Text message"></textarea>
    <button type="submit" id="send">Send</button>
    <label class="attach" for="attach">Attach a picture <input type="file" id="attach" accept="image/*"></label>
  </form>
  <p class="muted" id="error" role="alert"></p>
</main>
<script>
(function () {
  var from = document.getElementById("from"), to = document.getElementById("to"), thread = document.getElementById("thread");
  var hint = document.getElementById("hint"), error = document.getElementById("error"), body = document.getElementById("body"), attach = document.getElementById("attach");
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
      (m.media || []).forEach(function (src) {
        var img = document.createElement("img");
        img.src = src;
        img.alt = "Picture";
        li.appendChild(img);
      });
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
    var file = attach.files && attach.files[0];
    if (!text.trim() && !file) return;
    var media = file ? [{ content_type: file.type || "application/octet-stream", data_b64: await base64(file) }] : [];
    var res = await fetch("/__fake/phone/send", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from: from.value.trim(), to: to.value, body: text, media: media }) });
    var r = await res.json();
    if (!res.ok) { error.textContent = r.error; return; }
    if (r.status !== 200) error.textContent = "textgate answered HTTP " + r.status + ": " + r.response;
    body.value = "";
    attach.value = "";
    tick();
  });
  function base64(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }
  body.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); document.getElementById("compose").requestSubmit(); } });
  tick();
  setInterval(tick, 1000);
})();
</script>
</body></html>`;
