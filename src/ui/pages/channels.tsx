// Settings → Channels: every channel with its status badge, and the way to add one.
import type { FC } from "hono/jsx";
import type { ChannelView } from "../../channel/view";
import type { AgentOption } from "../data";
import { Badge, Layout } from "../layout";
import { CHANNEL_STATUS, DISPATCH_MODES } from "../words";

export const ChannelsPage: FC<{ csrf: string; channels: ChannelView[]; agents: AgentOption[] }> = ({ csrf, channels, agents }) => (
  <Layout title="Channels" area="channels" csrf={csrf}>
    <div class="page-head">
      <h1>Channels</h1>
      <a class="button primary" href="/settings/channels/new">
        Add channel
      </a>
    </div>
    {channels.length === 0 ? (
      <section class="card empty">
        <p>No channels yet. A channel connects a Twilio number to one of your agents.</p>
        <p>
          <a href="/settings/channels/new">Add your first channel</a>
        </p>
      </section>
    ) : (
      <ul class="channel-list" aria-label="Channels">
        {channels.map((ch) => {
          const s = CHANNEL_STATUS[ch.status];
          const agent = agents.find((a) => a.id === ch.agent_id);
          return (
            <li class="card channel-row">
              <div>
                <a class="title" href={`/settings/channels/${ch.id}`}>
                  Twilio SMS · {ch.config.from_number}
                </a>
                <p class="muted small">
                  {ch.handle} · agent {agent?.name ?? ch.agent_id} · {DISPATCH_MODES[ch.dispatch_mode].label} mode · {ch.paired_addresses.length} paired{" "}
                  {ch.paired_addresses.length === 1 ? "phone" : "phones"}
                </p>
              </div>
              <Badge tone={s.tone} testid="channel-status">
                {s.label}
              </Badge>
            </li>
          );
        })}
      </ul>
    )}
  </Layout>
);
