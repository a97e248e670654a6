// A signal-mode channel's watches: the list (a live part, re-fetched when the channel object reports a watch created
// or settled) described by what each waits for, with Cancel on those still waiting; and the form that starts one
// for the channel's agent (src/ui/assets/watches.ts), outside the part so a re-render never loses what is typed.
import type { FC } from "hono/jsx";
import type { ChannelView } from "../../channel/view";
import type { WatchView } from "../../signals/types";
import type { AgentOption } from "../data";
import { FieldError } from "../layout";
import { watchText } from "../words";

/** Settled watches shown under the waiting ones; older ones stay readable through the API. */
const RECENT = 5;

export const WatchesPart: FC<{ watches: WatchView[] | null; now: number }> = ({ watches, now }) => {
  if (!watches) return <div data-part="watches" class="muted">Could not load the signal watches; this list tries again on the next change.</div>;
  const waiting = watches.filter((w) => w.status === "waiting");
  const recent = watches.filter((w) => w.status !== "waiting").slice(0, RECENT);
  return (
    <div data-part="watches">
      {waiting.length === 0 ? (
        <p class="muted">No watch is waiting for a code on this number.</p>
      ) : (
        <ul class="watches" aria-label="Waiting signal watches" data-testid="watches-waiting">
          {waiting.map((w) => (
            <li data-watch-id={w.id} title={`Watch ${w.id}`}>
              <span>{watchText(w, now)}</span>{" "}
              <button type="button" class="secondary" data-action={`DELETE /api/signals/watches/${w.id}`}>
                Cancel
              </button>
            </li>
          ))}
        </ul>
      )}
      {recent.length > 0 && (
        <>
          <h3 class="small muted">Recently settled</h3>
          <ul class="watches" aria-label="Recently settled signal watches" data-testid="watches-settled">
            {recent.map((w) => (
              <li data-watch-id={w.id} title={`Watch ${w.id}`}>
                {watchText(w, now)}
              </li>
            ))}
          </ul>
        </>
      )}
      <p class="field-error" data-action-error role="alert" hidden></p>
    </div>
  );
};

export const WatchesCard: FC<{ ch: ChannelView; agent: AgentOption | undefined; watches: WatchView[] | null; now: number }> = ({ ch, agent, watches, now }) => (
  <section class="card" data-watches aria-labelledby="watches-title" hidden={ch.dispatch_mode !== "signal"}>
    <h2 id="watches-title">Signal watches</h2>
    <p class="hint">A watch waits for a text to {ch.config.from_number} for {agent?.name ?? "the channel's agent"}: the oldest watch that fits a text takes it.</p>
    <WatchesPart watches={watches} now={now} />
    <form class="stack" data-form="new-watch" data-agent-id={ch.agent_id} data-channel-id={ch.id} novalidate>
      <h3>Start a watch</h3>
      <div class="fields">
        <div>
          <label for="watch_from">From (optional)</label>
          <input id="watch_from" name="from" placeholder="+15551234567, 22000 or a sender name" autocomplete="off" aria-describedby="err-from" />
          <FieldError path="from" />
        </div>
        <div>
          <label for="watch_contains">Containing (optional)</label>
          <input id="watch_contains" name="contains" placeholder="bank" autocomplete="off" aria-describedby="err-contains" />
          <FieldError path="contains" />
        </div>
        <div>
          <label for="watch_timeout">Wait up to (minutes)</label>
          <input id="watch_timeout" name="timeout_min" type="number" min="1" max="1440" step="1" value="10" aria-describedby="err-timeout_min" />
          <FieldError path="timeout_min" />
        </div>
        <div>
          <label for="watch_lookback">Take a code from the last (minutes)</label>
          <input id="watch_lookback" name="lookback_min" type="number" min="0" max="1440" step="1" value="5" aria-describedby="err-lookback_min" />
          <FieldError path="lookback_min" />
        </div>
      </div>
      <p class="alert bad" data-form-error role="alert" hidden></p>
      <button type="submit" class="primary">
        Start watch
      </button>
    </form>
  </section>
);
