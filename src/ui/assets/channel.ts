// Browser code for a channel page (/ui/channel.js): subscribes to /api/channels/:id/events and re-fetches the
// server-rendered part an event touches, saves the dispatch mode on change (asking before signal mode), shows the
// signal watches card only in signal mode, and deletes the channel, saying what became of the number's SmsUrl.
export const channelJs = String.raw`
(function () {
  "use strict";
  var tg = window.textgate;
  var root = document.querySelector("[data-channel-id]");
  if (!root) return;
  var id = root.getAttribute("data-channel-id");
  var live = root.querySelector("[data-live]");
  var wanted = {};
  var timer = null;
  var deleted = false;

  function refresh(parts) {
    parts.forEach(function (p) { wanted[p] = true; });
    if (!timer) timer = setTimeout(flush, 60);
  }

  async function flush() {
    timer = null;
    var parts = Object.keys(wanted);
    wanted = {};
    for (var i = 0; i < parts.length; i++) await replacePart(parts[i]);
  }

  // Which control had focus, so it can have it again after its part is re-rendered.
  function focusKey() {
    var el = document.activeElement;
    if (!el || el === document.body) return null;
    if (el.getAttribute("data-action")) return '[data-action="' + CSS.escape(el.getAttribute("data-action")) + '"]';
    if (el.name) return '[name="' + CSS.escape(el.name) + '"][value="' + CSS.escape(el.value) + '"]';
    return null;
  }

  async function replacePart(name) {
    var el = root.querySelector('[data-part="' + name + '"]');
    if (!el || deleted) return;
    var res;
    try {
      res = await fetch("/settings/channels/" + encodeURIComponent(id) + "/parts/" + name, { credentials: "same-origin" });
    } catch (e) { return; }
    if (res.status === 401) return tg.signIn();
    if (!res.ok) return;
    var tpl = document.createElement("template");
    tpl.innerHTML = (await res.text()).trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh) return;
    var key = el.contains(document.activeElement) ? focusKey() : null;
    el.replaceWith(fresh);
    tg.enhance(fresh);
    var again = key && fresh.querySelector(key);
    if (again) again.focus();
    if (name === "mode") showWatchesCard();
  }

  function showWatchesCard() {
    var card = root.querySelector("[data-watches]");
    var mode = root.querySelector('[data-dispatch="live"] input[name="dispatch_mode"]:checked');
    if (card && mode) card.hidden = mode.value !== "signal";
  }

  function setLive(text) { if (live) live.textContent = text; }

  var attempts = 0;
  var socket = null;
  function connect() {
    if (deleted) return;
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = socket = new WebSocket(proto + "//" + location.host + "/api/channels/" + encodeURIComponent(id) + "/events?csrf=" + encodeURIComponent(tg.csrf));
    var ping = null;
    ws.onopen = function () {
      attempts = 0;
      setLive("Live updates on");
      root.setAttribute("data-live-state", "open");
      ping = setInterval(function () { ws.send("ping"); }, 25000);
      // Anything that changed between rendering and subscribing.
      refresh(["channel", "mode", "messages"]);
    };
    ws.onmessage = function (e) {
      var event;
      try { event = JSON.parse(e.data); } catch (err) { return; }
      if (event.type === "channel") refresh(["channel", "mode", "diagnostics"]);
      if (event.type === "message") refresh(["messages"]);
      if (event.type === "watch") refresh(["watches"]);
    };
    ws.onclose = function () {
      clearInterval(ping);
      if (deleted) return;
      root.setAttribute("data-live-state", "closed");
      setLive("Reconnecting…");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  document.addEventListener("textgate:changed", function () { refresh(["channel", "mode", "messages", "diagnostics", "watches"]); });

  // "Check now": the diagnostics part runs the checks again when fetched (a result seconds old is reused).
  root.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-diagnostics-refresh]")) refresh(["diagnostics"]);
  });

  root.addEventListener("change", async function (ev) {
    var input = ev.target;
    if (!input.matches('[data-dispatch="live"] input[name="dispatch_mode"]')) return;
    var section = input.closest("section");
    var slot = section.querySelector("[data-action-error]");
    slot.hidden = true;
    var ask = input.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) {
      // Not switched: the other choice is checked again before the page shows either mode's consequence.
      section.querySelectorAll('input[name="dispatch_mode"]').forEach(function (o) { o.checked = o !== input && o.defaultChecked; });
      return;
    }
    var r = await tg.api("PATCH", "/api/channels/" + encodeURIComponent(id), { dispatch_mode: input.value });
    if (!r.ok) { slot.textContent = r.error.message; slot.hidden = false; }
    refresh(["mode", "channel"]);
  });

  // What deleting did to the number's SmsUrl in Twilio, from the API's answer.
  function smsUrlOutcome(r) {
    if (r.sms_url_left) return r.sms_url_left.message;
    if (r.sms_url_cleared) return "Its SmsUrl in Twilio was cleared, so Twilio no longer sends its texts here.";
    return "Twilio could not be reached to clear the number's SmsUrl: clear it in the Twilio Console.";
  }

  root.addEventListener("click", async function (ev) {
    var btn = ev.target.closest("[data-delete-channel]");
    if (!btn || btn.getAttribute("aria-busy") === "true" || !window.confirm(btn.getAttribute("data-confirm"))) return;
    var slot = btn.parentElement.querySelector("[data-action-error]");
    slot.hidden = true;
    btn.setAttribute("aria-busy", "true");
    var r = await tg.api("DELETE", "/api/channels/" + encodeURIComponent(id));
    btn.removeAttribute("aria-busy");
    if (!r.ok) { slot.textContent = r.error.message; slot.hidden = false; return; }
    deleted = true;
    if (socket) socket.close(1000, "deleted");
    var done = document.createElement("section");
    done.className = "card";
    done.setAttribute("data-testid", "deleted");
    done.setAttribute("role", "status");
    var head = document.createElement("h1");
    head.textContent = "Channel deleted";
    var what = document.createElement("p");
    what.textContent = "The channel for " + root.getAttribute("data-number") + " is deleted. " + smsUrlOutcome(r.data);
    var back = document.createElement("a");
    back.href = "/settings/channels";
    back.textContent = "Back to channels";
    done.append(head, what, back);
    root.replaceChildren(done);
  });

  connect();
  // Pairing codes expire, unanswered replies age into a warning and watches count down without any event; look
  // again now and then.
  setInterval(function () { refresh(["channel", "messages", "watches"]); }, 30000);
})();
`;
