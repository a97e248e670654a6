// Browser code for the channel forms (/ui/forms.js): "Add channel" creates the space and agent first when the user
// named new ones, then the channel; "Twilio settings" PATCHes the changed credentials. Errors land on their fields.
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

  function adopt(select, id, label, space) {
    var opt = new Option(label, id, true, true);
    if (space) opt.setAttribute("data-space", space);
    select.insertBefore(opt, select.querySelector('option[value="' + NEW + '"]'));
    select.dispatchEvent(new Event("change", { bubbles: true }));
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
    var spaces = form.elements.namedItem("space_id");
    var agents = form.elements.namedItem("agent_id");
    var spaceId = spaces.value;
    if (spaceId === NEW) {
      var s = await tg.api("POST", "/api/spaces", { name: text(form, "space.name") });
      if (!s.ok) return tg.showErrors(form, s.error, "space.");
      adopt(spaces, s.data.id, s.data.name);
      spaceId = s.data.id;
    }
    var agentId = agents.value;
    if (agentId === NEW) {
      var a = await tg.api("POST", "/api/agents", { name: text(form, "agent.name"), space_id: spaceId });
      if (!a.ok) return tg.showErrors(form, a.error, "agent.");
      adopt(agents, a.data.id, a.data.name + " (" + a.data.handle + ")", spaceId);
      agentId = a.data.id;
    }
    var mode = form.querySelector('input[name="dispatch_mode"]:checked');
    var c = await tg.api("POST", "/api/channels", {
      provider: "twilio_sms",
      space_id: spaceId,
      agent_id: agentId,
      dispatch_mode: mode ? mode.value : "message",
      config: twilioConfig(form, false),
    });
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
