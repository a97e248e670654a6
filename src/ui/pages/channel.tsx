// One channel: status (pairing code, connected, or why it failed), paired phones, dispatch mode, Twilio settings
// and messages. src/ui/assets/channel.ts keeps the parts live over the channel's WebSocket.
import type { FC } from "hono/jsx";
import type { HealthReport } from "../../domain/twilio/health";
import type { ChannelPageData } from "../data";
import { Layout } from "../layout";
import { ChannelPart, ModePart } from "../parts/channel";
import { DiagnosticsPart } from "../parts/diagnostics";
import { TwilioFields } from "../parts/fields";
import { MessagesPart } from "../parts/messages";

export const ChannelPage: FC<{ csrf: string; now: number; diagnostics: HealthReport | null } & ChannelPageData> = ({ csrf, now, channel, agent, messages, diagnostics }) => (
  <Layout title={`Channel ${channel.config.from_number}`} area="channels" csrf={csrf} scripts={["forms", "channel"]}>
    <div data-channel-id={channel.id}>
      <p class="crumbs split">
        <span>
          <a href="/settings/channels">Channels</a> /
        </span>
        <span class="live" data-live role="status"></span>
      </p>
      <ChannelPart ch={channel} agent={agent} />
      <ModePart ch={channel} />
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
    </div>
  </Layout>
);
