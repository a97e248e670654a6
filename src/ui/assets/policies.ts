// Browser code for the policy editor (/ui/policies.js): loads GET /api/policies (an empty set starts from the
// page's commented example), saves with PUT {text}, and lists the errors with line and column, each a button that
// puts the cursor on the spot. If the API answers with an error, the editor stays read-only and says why, so
// nothing overwrites unseen policies.
export const policiesJs = String.raw`
(function () {
  "use strict";
  var tg = window.textgate;
  var form = document.querySelector('form[data-form="policies"]');
  if (!form) return;
  var text = form.querySelector("textarea");
  var status = form.querySelector("[data-policy-status]");
  var box = form.querySelector("[data-policy-errors]");
  var save = form.querySelector('button[type="submit"]');

  function offsetOf(value, line, column) {
    var lines = value.split("\n");
    var at = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) at += lines[i].length + 1;
    return Math.min(value.length, at + Math.max(0, column - 1));
  }

  function describe(p) {
    var version = "Version " + p.version;
    return p.updated_at ? version + ", saved " + new Date(p.updated_at).toLocaleString() + "." : version + ".";
  }

  async function load() {
    var r = await tg.api("GET", "/api/policies");
    if (!r.ok) {
      status.textContent = "";
      tg.showErrors(form, { message: "Could not load the policies: " + r.error.message + " (HTTP " + r.status + ")." });
      return;
    }
    var saved = typeof r.data.text === "string" ? r.data.text : "";
    var example = !saved.trim() && text.getAttribute("data-example");
    text.value = example || saved;
    text.disabled = false;
    save.disabled = false;
    status.textContent = describe(r.data) + (example ? " No policies of yours yet: the example below is all comments." : "");
  }

  function showProblems(list) {
    var ul = box.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (p) {
      var li = document.createElement("li");
      if (p.line) {
        var go = document.createElement("button");
        go.type = "button";
        go.className = "link";
        go.textContent = "Line " + p.line + (p.column ? ", column " + p.column : "");
        go.addEventListener("click", function () {
          var at = offsetOf(text.value, p.line, p.column || 1);
          text.focus();
          text.setSelectionRange(at, Math.min(text.value.length, at + 1));
        });
        li.appendChild(go);
        li.appendChild(document.createTextNode(": "));
      }
      li.appendChild(document.createTextNode(p.message + (p.help ? ". " + p.help : "")));
      ul.appendChild(li);
    });
    box.hidden = false;
    text.setAttribute("aria-invalid", "true");
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    tg.clearErrors(form);
    box.hidden = true;
    save.disabled = true;
    var r = await tg.api("PUT", "/api/policies", { text: text.value });
    save.disabled = false;
    if (r.ok) {
      status.textContent = "Saved. " + describe(r.data);
      return;
    }
    var problems = r.error.details && Array.isArray(r.error.details.errors) ? r.error.details.errors : null;
    if (r.error.code === "invalid_policy" && problems) showProblems(problems);
    else tg.showErrors(form, r.error);
  });

  load();
})();
`;
