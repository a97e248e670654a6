// Policies: the Cedar policy editor. src/ui/assets/policies.ts loads GET /api/policies ({text, version}), saves
// with PUT {text}, and lists Cedar's errors by line and column; if the API answers with an error, it says so.
import type { FC } from "hono/jsx";
import { Layout } from "../layout";

export const PoliciesPage: FC<{ csrf: string }> = ({ csrf }) => (
  <Layout title="Policies" area="policies" csrf={csrf} scripts={["policies"]}>
    <h1>Policies</h1>
    <p class="muted">
      Cedar policies decide which senders each agent receives messages and signals from. They are checked against the schema before they are
      saved.
    </p>
    <form class="card stack" data-form="policies" novalidate>
      <p class="small muted" data-policy-status role="status" aria-live="polite">
        Loading policies…
      </p>
      <label for="policy-text">Policy text</label>
      <textarea id="policy-text" name="text" rows={18} spellcheck={false} class="mono" aria-describedby="policy-errors" disabled></textarea>
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
  </Layout>
);
