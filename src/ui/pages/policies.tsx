// Policies: the built-in policies (read-only), the Cedar policy editor, and a tester that asks POST
// /api/policies/check what the policies in force decide for one agent, action, channel and sender.
// src/ui/assets/policies.ts runs the editor (an empty set starts from a commented example); policy-check.ts the tester.
import type { FC } from "hono/jsx";
import type { PoliciesPageData } from "../data";
import { Layout } from "../layout";
import { BUILT_IN, policyExample } from "../policy-words";

export const PoliciesPage: FC<{ csrf: string } & PoliciesPageData> = ({ csrf, agents, channels }) => {
  const agent = agents[0]?.handle ?? "assistant";
  const channel = channels[0]?.handle ?? "sms";
  return (
    <Layout title="Policies" area="policies" csrf={csrf} scripts={["policies", "policy-check"]}>
      <h1>Policies</h1>
      <p class="muted">
        Cedar policies decide which senders each agent receives messages and signals from. They are checked against the schema before they are
        saved.
      </p>
      <section class="card" aria-labelledby="builtin-title" data-testid="built-in-policies">
        <h2 id="builtin-title">Built in (always in force)</h2>
        {BUILT_IN.map((p) => (
          <>
            <h3 class="mono">{p.id}</h3>
            <p class="hint">{p.means}</p>
            <pre class="policy">{p.text}</pre>
          </>
        ))}
      </section>
      <form class="card stack" data-form="policies" novalidate>
        <h2>Your policies</h2>
        <p class="small muted" data-policy-status role="status" aria-live="polite">
          Loading policies…
        </p>
        <label for="policy-text">Policy text</label>
        <textarea id="policy-text" name="text" rows={18} spellcheck={false} class="mono" aria-describedby="policy-errors" disabled data-example={policyExample(agent, channel)}></textarea>
        <div id="policy-errors" data-policy-errors role="alert" hidden>
          <p>
            <strong>The policies do not validate:</strong>
          </p>
          <ul></ul>
        </div>
        <p class="alert bad" data-form-error role="alert" hidden></p>
        <button type="submit" class="primary" disabled>
          Save policies
        </button>
      </form>
      <form class="card stack" data-form="policy-check" novalidate aria-labelledby="check-title">
        <h2 id="check-title">Try a message</h2>
        <p class="hint">What the saved policies decide for one text: which agent, what it would receive, on which channel, from whom.</p>
        <div class="fields">
          <div>
            <label for="check_agent">Agent (handle)</label>
            <input id="check_agent" name="agent" list="agent-handles" value={agents[0]?.handle ?? ""} autocomplete="off" aria-describedby="err-agent" />
            <datalist id="agent-handles">
              {agents.map((a) => (
                <option value={a.handle}>{a.name}</option>
              ))}
            </datalist>
            <p class="field-error" data-error-for="agent" id="err-agent" role="alert" hidden></p>
          </div>
          <div>
            <label for="check_action">Action</label>
            <select id="check_action" name="action">
              <option value="receive_message">receive_message (a turn)</option>
              <option value="receive_signal">receive_signal (a watch)</option>
            </select>
          </div>
          <div>
            <label for="check_channel">Channel (handle)</label>
            <input id="check_channel" name="channel" list="channel-handles" value={channels[0]?.handle ?? ""} autocomplete="off" aria-describedby="err-channel" />
            <datalist id="channel-handles">
              {channels.map((c) => (
                <option value={c.handle}>{c.from_number}</option>
              ))}
            </datalist>
            <p class="field-error" data-error-for="channel" id="err-channel" role="alert" hidden></p>
          </div>
          <div>
            <label for="check_sender">Sender</label>
            <input id="check_sender" name="sender" placeholder="+15551234567 or 22000" autocomplete="off" aria-describedby="err-sender" />
            <p class="field-error" data-error-for="sender" id="err-sender" role="alert" hidden></p>
          </div>
        </div>
        <p class="alert bad" data-form-error role="alert" hidden></p>
        <button type="submit" class="primary">
          Check
        </button>
        <div data-check-result role="status" aria-live="polite" hidden></div>
      </form>
    </Layout>
  );
};
