// Add channel: provider, the space and agent that answer it (created inline when there are none yet), the Twilio
// fields prefilled from VOICE_TWILIO_*, and the dispatch mode. src/ui/assets/forms.ts submits it to /api.
import type { FC } from "hono/jsx";
import type { NewChannelData } from "../data";
import { FieldError, Layout } from "../layout";
import { DispatchChoice, TwilioFields } from "../parts/fields";

export const NEW = "__new";

export const NewChannelPage: FC<{ csrf: string } & NewChannelData> = ({ csrf, spaces, agents, defaults }) => {
  const space = spaces[0];
  const spaceAgents = agents.filter((a) => a.space_id === space?.id);
  return (
    <Layout title="Add channel" area="channels" csrf={csrf} scripts={["forms"]}>
      <p class="crumbs">
        <a href="/settings/channels">Channels</a> /
      </p>
      <h1>Add channel</h1>
      <noscript>
        <p class="alert bad">This form needs JavaScript.</p>
      </noscript>
      <form class="card stack" data-form="new-channel" novalidate>
        <fieldset>
          <legend>Provider</legend>
          <label class="choice">
            <input type="radio" name="provider" value="twilio_sms" checked /> Twilio SMS
          </label>
        </fieldset>

        <fieldset>
          <legend>Who answers</legend>
          {spaces.length === 0 && <p class="hint">You have no spaces or agents yet. Name them here and they are created together with the channel.</p>}
          <label for="space_id">Space</label>
          <select id="space_id" name="space_id" aria-describedby="err-space_id">
            {spaces.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
            <option value={NEW}>New space…</option>
          </select>
          <FieldError path="space_id" />
          <div data-show-when={`space_id=${NEW}`} hidden={spaces.length > 0}>
            <label for="space_name">New space name</label>
            <input id="space_name" name="space.name" value="Home" aria-describedby="err-space.name" />
            <FieldError path="space.name" />
          </div>

          <label for="agent_id">Agent</label>
          <select id="agent_id" name="agent_id" aria-describedby="err-agent_id">
            {agents.map((a) => (
              <option value={a.id} data-space={a.space_id} hidden={a.space_id !== space?.id}>
                {a.name} ({a.handle})
              </option>
            ))}
            <option value={NEW} selected={spaceAgents.length === 0}>
              New agent…
            </option>
          </select>
          <FieldError path="agent_id" />
          <div data-show-when={`agent_id=${NEW}`} hidden={spaceAgents.length > 0}>
            <label for="agent_name">New agent name</label>
            <input id="agent_name" name="agent.name" value="Assistant" aria-describedby="err-agent.name" />
            <p class="hint">New agents start on the offline builtin:echo model; change the model through the API.</p>
            <FieldError path="agent.name" />
          </div>
        </fieldset>

        <TwilioFields accountSid={defaults.account_sid} fromNumber={defaults.from_number} serviceSid="" hasDefaultToken={defaults.has_auth_token} />
        <DispatchChoice mode="message" />

        <p class="alert bad" data-form-error role="alert" hidden></p>
        <button type="submit" class="primary">
          Add channel
        </button>
      </form>
    </Layout>
  );
};
