// Browser code every signed-in page loads (/ui/core.js): the /api caller that sends the CSRF token, inline field
// errors from the API's issue paths, action buttons, show/hide by a field's value and local times. Plain ES2020
// in a string, so there is no build step; page scripts reach it as window.textgate.
export const coreJs = String.raw`
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";

  function signIn() {
    location.assign("/sign-in?next=" + encodeURIComponent(location.pathname + location.search));
  }

  async function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { accept: "application/json", "x-csrf-token": csrf } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { ok: false, status: 0, error: { code: "network", message: "Could not reach the server (" + e.message + ")." } };
    }
    if (res.status === 401) signIn();
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.ok) return { ok: true, status: res.status, data: data };
    var error = data && data.error && typeof data.error.message === "string" ? data.error : { code: "http_" + res.status, message: "The server answered HTTP " + res.status + "." };
    return { ok: false, status: res.status, error: error };
  }

  function slotFor(root, path) {
    return root.querySelector('[data-error-for="' + CSS.escape(path) + '"]');
  }

  function clearErrors(root) {
    root.querySelectorAll("[data-error-for]").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    root.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var general = root.querySelector("[data-form-error]");
    if (general) { general.hidden = true; general.textContent = ""; }
  }

  // Places each of the API's error.details.issues next to the field its path names (or the whole error next to
  // details.field, as a 409 names it); the rest go to the form.
  function showErrors(root, error) {
    var details = (error && error.details) || {};
    var issues = Array.isArray(details.issues) ? details.issues : typeof details.field === "string" ? [{ path: details.field, message: error.message }] : [];
    var unplaced = [];
    issues.forEach(function (issue) {
      var path = issue.path;
      var slot = slotFor(root, path);
      if (!slot) { unplaced.push(issue.path ? issue.path + ": " + issue.message : issue.message); return; }
      slot.textContent = issue.message;
      slot.hidden = false;
      var input = root.querySelector('[name="' + CSS.escape(path) + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
    });
    var general = root.querySelector("[data-form-error]");
    if (general) {
      general.textContent = !issues.length ? error.message : unplaced.length ? unplaced.join("; ") : "Correct the marked fields.";
      general.hidden = false;
    }
    var first = root.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  function valueOf(root, name) {
    var field = root.querySelector('[name="' + CSS.escape(name) + '"]:checked') || root.querySelector('select[name="' + CSS.escape(name) + '"]');
    return field ? field.value : null;
  }

  // <x data-show-when="name=value"> is shown only while the field called name (in the same form) has that value.
  function applyShowWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      el.hidden = valueOf(el.closest("form") || el.closest("section") || document, rule[0]) !== rule[1];
    });
  }

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) { el.textContent = d.toLocaleString(); el.title = el.getAttribute("datetime"); }
    });
  }

  function enhance(root) {
    applyShowWhen(root);
    localTimes(root);
  }

  document.addEventListener("change", function () { applyShowWhen(document); });

  // <button data-action="POST /api/..."> calls the API, then tells the page something changed.
  document.addEventListener("click", async function (ev) {
    var btn = ev.target.closest("button[data-action]");
    if (!btn || btn.getAttribute("aria-busy") === "true") return;
    var confirmText = btn.getAttribute("data-confirm");
    if (confirmText && !window.confirm(confirmText)) return;
    var parts = btn.getAttribute("data-action").split(" ");
    var box = btn.closest("section, .card") || document;
    var slot = box.querySelector("[data-action-error]");
    if (slot) { slot.hidden = true; slot.textContent = ""; }
    btn.setAttribute("aria-busy", "true");
    var r = await api(parts[0], parts[1]);
    btn.removeAttribute("aria-busy");
    if (!r.ok && slot) { slot.textContent = r.error.message; slot.hidden = false; }
    document.dispatchEvent(new CustomEvent("textgate:changed", { detail: { action: parts.join(" "), ok: r.ok } }));
  });

  window.textgate = { csrf: csrf, api: api, showErrors: showErrors, clearErrors: clearErrors, enhance: enhance, signIn: signIn };
  enhance(document);
})();
`;
