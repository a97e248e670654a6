// Browser code for the channel forms (/ui/forms.js): "Add channel" sends one request, with the new space and agent
// the user named (the API checks every field first and creates nothing when it refuses); "Twilio settings" PATCHes
// the changed credentials. Errors land on their fields.
export const formsJs = String.raw`
(function () {
  "use strict";
  var tg = window.textgate;
  var NEW = "__new";

  function text(form, name) {
    var el = form.elements.namedItem(name);
    return el ? String(el.value || "").trim() : "";
  }

  // clearable: an emptied Messaging Service field means "none" (null) when saving settings, "not given" when adding.
  function twilioConfig(form, clearable) {
    var config = {};
    ["account_sid", "auth_token", "from_number", "messaging_service_sid"].forEach(function (k) {
      var v = text(form, "config." + k);
      if (v) config[k] = v;
    });
    if (clearable && form.elements.namedItem("config.messaging_service_sid") && !config.messaging_service_sid) config.messaging_service_sid = null;
    return config;
  }

  // Only the chosen space's agents are offered; "New agent…" is always there.
  function filterAgents(form) {
    var space = form.elements.namedItem("space_id").value;
    var agents = form.elements.namedItem("agent_id");
    var keep = null;
    Array.prototype.forEach.call(agents.options, function (o) {
      var visible = o.value === NEW || o.getAttribute("data-space") === space;
      o.hidden = !visible;
      if (visible && !keep && o.value !== NEW) keep = o;
    });
    if (agents.selectedOptions[0] && agents.selectedOptions[0].hidden) agents.value = keep ? keep.value : NEW;
    window.textgate.enhance(form);
  }

  async function addChannel(form) {
    var spaceId = form.elements.namedItem("space_id").value;
    var agentId = form.elements.namedItem("agent_id").value;
    var mode = form.querySelector('input[name="dispatch_mode"]:checked');
    var body = { provider: "twilio_sms", dispatch_mode: mode ? mode.value : "message", config: twilioConfig(form, false) };
    if (spaceId === NEW) body.space = { name: text(form, "space.name") };
    else body.space_id = spaceId;
    if (agentId === NEW) body.agent = { name: text(form, "agent.name") };
    else body.agent_id = agentId;
    var c = await tg.api("POST", "/api/channels", body);
    if (!c.ok) return tg.showErrors(form, c.error);
    location.assign("/settings/channels/" + encodeURIComponent(c.data.id));
  }

  async function saveSettings(form) {
    var config = twilioConfig(form, true);
    var r = await tg.api("PATCH", form.getAttribute("data-path"), { config: config });
    if (!r.ok) return tg.showErrors(form, r.error);
    form.elements.namedItem("config.auth_token").value = "";
    document.dispatchEvent(new CustomEvent("textgate:changed", { detail: { action: "PATCH settings", ok: true } }));
  }

  function wire(form, submit) {
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var btn = form.querySelector('button[type="submit"]');
      tg.clearErrors(form);
      btn.disabled = true;
      btn.setAttribute("aria-busy", "true");
      try {
        await submit(form);
      } finally {
        btn.disabled = false;
        btn.removeAttribute("aria-busy");
      }
    });
  }

  var create = document.querySelector('form[data-form="new-channel"]');
  if (create) {
    create.elements.namedItem("space_id").addEventListener("change", function () { filterAgents(create); });
    filterAgents(create);
    wire(create, addChannel);
  }
  var settings = document.querySelector('form[data-form="channel-settings"]');
  if (settings) wire(settings, saveSettings);
})();
`;
