// Policies: the built-in policies (read-only), the Cedar policy editor, and a tester that asks POST
// /api/policies/check what the policies in force decide for one agent, action, channel and sender.
// src/ui/assets/policies.ts runs the editor (an empty set starts from a commented example); policy-check.ts the tester.
import type { FC } from "hono/jsx";
import type { PoliciesPageData } from "../data";
import { FieldError, Layout } from "../layout";
import { BUILT_IN, policyExample } from "../policy-words";

/** A handle to type, offering the ones that exist (the API only warns about a handle nobody has). */
const HandleField: FC<{ name: string; label: string; options: { value: string; label: string }[] }> = ({ name, label, options }) => (
  <div>
    <label for={`check_${name}`}>{label}</label>
    <input id={`check_${name}`} name={name} list={`${name}-handles`} value={options[0]?.value ?? ""} autocomplete="off" aria-describedby={`err-${name}`} />
    <datalist id={`${name}-handles`}>
      {options.map((o) => (
        <option value={o.value}>{o.label}</option>
      ))}
    </datalist>
    <FieldError path={name} />
  </div>
);

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
          <HandleField name="agent" label="Agent (handle)" options={agents.map((a) => ({ value: a.handle, label: a.name }))} />
          <div>
            <label for="check_action">Action</label>
            <select id="check_action" name="action">
              <option value="receive_message">receive_message (a turn)</option>
              <option value="receive_signal">receive_signal (a watch)</option>
            </select>
          </div>
          <HandleField name="channel" label="Channel (handle)" options={channels.map((c) => ({ value: c.handle, label: c.from_number }))} />
          <div>
            <label for="check_sender">Sender</label>
            <input id="check_sender" name="sender" placeholder="+15551234567 or 22000" autocomplete="off" aria-describedby="err-sender" />
            <FieldError path="sender" />
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
