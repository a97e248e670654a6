// One channel: status (pairing code, connected, or why it failed), paired phones, dispatch mode, Twilio settings
// and messages. src/ui/assets/channel.ts keeps the parts live over the channel's WebSocket.
import type { FC } from "hono/jsx";
import type { HealthReport } from "../../domain/twilio/health";
import type { WatchView } from "../../signals/types";
import type { ChannelPageData } from "../data";
import { Layout } from "../layout";
import { ChannelPart, ModePart } from "../parts/channel";
import { DiagnosticsPart } from "../parts/diagnostics";
import { TwilioFields } from "../parts/fields";
import { MessagesPart } from "../parts/messages";
import { WatchesCard } from "../parts/watches";
import { DELETE_CONSEQUENCE, deleteConfirm } from "../words";

type Props = { csrf: string; now: number; diagnostics: HealthReport | null; watches: WatchView[] | null } & ChannelPageData;

export const ChannelPage: FC<Props> = ({ csrf, now, channel, agent, messages, diagnostics, watches }) => (
  <Layout title={`Channel ${channel.config.from_number}`} area="channels" csrf={csrf} scripts={["forms", "channel", "watches"]}>
    <div data-channel-id={channel.id} data-number={channel.config.from_number}>
      <p class="crumbs split">
        <span>
          <a href="/settings/channels">Channels</a> /
        </span>
        <span class="live" data-live role="status"></span>
      </p>
      <ChannelPart ch={channel} agent={agent} />
      <ModePart ch={channel} />
      <WatchesCard ch={channel} agent={agent} watches={watches} now={now} />
      <DiagnosticsPart ch={channel} report={diagnostics} />
      <details class="card" open={channel.error?.code === "bad_credentials" || channel.error?.code === "not_sms_capable" || channel.error?.code === "number_not_found" || channel.error?.code === "messaging_service_not_found"}>
        <summary>Twilio settings</summary>
        <form class="stack" data-form="channel-settings" data-path={`/api/channels/${channel.id}`} novalidate>
          <p class="hint">Saving changed credentials registers the number with Twilio again.</p>
          <TwilioFields
            legend="Credentials"
            accountSid={channel.config.account_sid}
            fromNumber={channel.config.from_number}
            serviceSid={channel.config.messaging_service_sid ?? ""}
            hasDefaultToken tokenPlaceholder="unchanged (stored encrypted)" />
          <p class="alert bad" data-form-error role="alert" hidden></p>
          <button type="submit" class="primary">
            Save Twilio settings
          </button>
        </form>
      </details>
      <MessagesPart ch={channel} messages={messages} now={now} />
      <section class="card danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete channel</h2>
        <p class="hint">{DELETE_CONSEQUENCE}</p>
        <button type="button" class="danger" data-delete-channel data-confirm={deleteConfirm(channel)}>
          Delete channel
        </button>
        <p class="field-error" data-action-error role="alert" hidden></p>
      </section>
    </div>
  </Layout>
);
