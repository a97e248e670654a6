// Browser code for the policy tester (/ui/policy-check.js): POST /api/policies/check with the form's agent, action,
// channel and sender, then the decision in words, with each deciding policy named as the editor shows it.
export const policyCheckJs = String.raw`
(function () {
  "use strict";
  var tg = window.textgate;
  var form = document.querySelector('form[data-form="policy-check"]');
  if (!form) return;
  var out = form.querySelector("[data-check-result]");

  function value(name) { return String(form.elements.namedItem(name).value || "").trim(); }

  // base.* are the built-in policies; user.N is the (N+1)th policy in the editor; anything else is an @id.
  function policyName(id) {
    if (id.indexOf("base.") === 0) return "the built-in policy " + id;
    var n = /^user\.(\d+)$/.exec(id);
    return n ? "your policy number " + (Number(n[1]) + 1) : 'your policy "' + id + '"';
  }

  function line(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  function show(d, query) {
    out.textContent = "";
    var allow = d.decision === "allow";
    out.appendChild(line("p", allow ? "Allowed" : "Denied", "verdict " + (allow ? "allow" : "deny")));
    var signal = query.action === "receive_signal";
    var does = signal ? (allow ? "'s watches may take texts from " : "'s watches may not take texts from ") : allow ? " receives texts from " : " does not receive texts from ";
    var why = d.reasons.length
      ? (allow ? "Allowed by " : "Denied by ") + d.reasons.map(policyName).join(", ") + "."
      : "No policy permits it" + (d.sender_paired ? "." : " (the sender is not paired on this channel).");
    out.appendChild(line("p", query.agent + does + query.sender + " on " + query.channel + ". " + why));
    if (d.errors && d.errors.length) out.appendChild(line("p", "Errors while deciding: " + d.errors.join("; "), "bad-text"));
    (d.warnings || []).forEach(function (w) { out.appendChild(line("p", "Note: " + w + ".", "small muted")); });
    out.appendChild(line("p", "Policies version " + d.policy_version + ".", "small muted"));
    out.hidden = false;
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    tg.clearErrors(form);
    out.hidden = true;
    var query = { agent: value("agent"), action: value("action"), channel: value("channel"), sender: value("sender") };
    var btn = form.querySelector('button[type="submit"]');
    btn.setAttribute("aria-busy", "true");
    var r = await tg.api("POST", "/api/policies/check", query);
    btn.removeAttribute("aria-busy");
    if (!r.ok) return tg.showErrors(form, r.error);
    show(r.data, query);
  });
})();
`;
