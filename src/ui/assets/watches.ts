// Browser code for starting a signal watch on a channel page (/ui/watches.js): POSTs /api/signals/watches for the
// channel's agent, minutes turned into the API's seconds. The list itself is a server-rendered part that
// channel.js re-fetches when the channel object reports the new watch.
export const watchesJs = String.raw`
(function () {
  "use strict";
  var tg = window.textgate;
  var form = document.querySelector('form[data-form="new-watch"]');
  if (!form) return;
  var DAY_MIN = 1440;
  // The API speaks seconds; its issues for these fields are put on the minutes fields, in minutes.
  var MINUTES = { timeout_s: "timeout_min", lookback_s: "lookback_min" };

  function field(name) { return form.elements.namedItem(name); }

  function minutes(name, min, issues) {
    var raw = String(field(name).value).trim();
    var n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < min || n > DAY_MIN) {
      issues.push({ path: name, message: "Enter a whole number of minutes from " + min + " to " + DAY_MIN + "." });
      return null;
    }
    return n * 60;
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    tg.clearErrors(form);
    var issues = [];
    var timeout = minutes("timeout_min", 1, issues);
    var lookback = minutes("lookback_min", 0, issues);
    if (issues.length) return tg.showErrors(form, { message: "Correct the marked fields.", details: { issues: issues } });
    var body = {
      agent_id: form.getAttribute("data-agent-id"),
      channel_id: form.getAttribute("data-channel-id"),
      from: field("from").value.trim() || null,
      contains: field("contains").value.trim() || null,
      timeout_s: timeout,
      lookback_s: lookback,
    };
    var btn = form.querySelector('button[type="submit"]');
    btn.setAttribute("aria-busy", "true");
    var r = await tg.api("POST", "/api/signals/watches", body);
    btn.removeAttribute("aria-busy");
    if (!r.ok) {
      var details = r.error.details && Array.isArray(r.error.details.issues) ? r.error.details.issues : null;
      if (details) details.forEach(function (i) { if (MINUTES[i.path]) { i.path = MINUTES[i.path]; i.message = "Enter a whole number of minutes from " + (i.path === "timeout_min" ? 1 : 0) + " to " + DAY_MIN + "."; } });
      return tg.showErrors(form, r.error);
    }
    field("from").value = "";
    field("contains").value = "";
    document.dispatchEvent(new CustomEvent("textgate:changed", { detail: { action: "POST watch", ok: true } }));
  });
})();
`;
