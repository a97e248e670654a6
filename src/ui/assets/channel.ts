// Browser code for a channel page (/ui/channel.js): subscribes to /api/channels/:id/events and re-fetches the
// server-rendered part an event touches, saves the dispatch mode on change, and lists signal watches.
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
    if (!el) return;
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
    if (name === "mode") loadWatches();
  }

  function setLive(text) { if (live) live.textContent = text; }

  var attempts = 0;
  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/api/channels/" + encodeURIComponent(id) + "/events?csrf=" + encodeURIComponent(tg.csrf));
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
      if (event.type === "watch") loadWatches();
    };
    ws.onclose = function () {
      clearInterval(ping);
      root.setAttribute("data-live-state", "closed");
      setLive("Reconnecting…");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  document.addEventListener("textgate:changed", function () { refresh(["channel", "mode", "messages", "diagnostics"]); });

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
    var r = await tg.api("PATCH", "/api/channels/" + encodeURIComponent(id), { dispatch_mode: input.value });
    if (!r.ok) { slot.textContent = r.error.message; slot.hidden = false; }
    refresh(["mode", "channel"]);
  });

  function describeWatch(w) {
    var f = w.filters || {};
    var what = [];
    if (f.contains) what.push('contains "' + f.contains + '"');
    if (f.regex) what.push("matches /" + f.regex + "/");
    if (f.from) what.push("from " + f.from);
    var state = w.status === "matched" && w.signal ? "matched" + (w.signal.code ? " code " + w.signal.code : "") : String(w.status || "waiting").replace("_", " ");
    var until = w.status === "waiting" && w.expires_at ? ", until " + new Date(w.expires_at).toLocaleString() : "";
    return "Watch " + w.id + ": " + (what.length ? what.join(", ") : "any text") + " — " + state + until;
  }

  // Signal watches come from another API (GET /api/signals/watches?channel_id=); a server without it says so.
  async function loadWatches() {
    var box = root.querySelector("[data-signal-watches]");
    var body = box && box.querySelector("[data-watches-body]");
    if (!body) return;
    var r = await tg.api("GET", "/api/signals/watches?channel_id=" + encodeURIComponent(id));
    var list = r.ok ? (Array.isArray(r.data) ? r.data : r.data && Array.isArray(r.data.watches) ? r.data.watches : []) : null;
    var next = document.createElement(list && list.length ? "ul" : "p");
    next.setAttribute("data-watches-body", "");
    if (!r.ok) {
      next.className = "muted";
      next.textContent = r.status === 404 ? "Signal watches are not available on this server yet." : "Could not load signal watches: " + r.error.message;
    } else if (!list.length) {
      next.className = "muted";
      next.textContent = "No signal watches on this channel. Agents add them when they wait for a text, such as a login code.";
    } else {
      next.className = "watches";
      list.forEach(function (w) {
        var li = document.createElement("li");
        li.textContent = describeWatch(w);
        next.appendChild(li);
      });
    }
    body.replaceWith(next);
  }

  loadWatches();
  connect();
  // Pairing codes expire and unanswered replies age into a warning without any event; look again now and then.
  setInterval(function () { refresh(["channel", "messages"]); }, 30000);
})();
`;
