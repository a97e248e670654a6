// The live parts of a channel page. Each renders one <section data-part> that the page script re-fetches from
// /settings/channels/:id/parts/:part when the channel's WebSocket reports a change, so there is one renderer.
import type { FC } from "hono/jsx";
import type { ChannelView } from "../../channel/view";
import type { AgentOption } from "../data";
import { Badge, When } from "../layout";
import { CHANNEL_STATUS, hintFor, signalSwitchConfirm } from "../words";
import { DispatchChoice } from "./fields";

const api = (ch: ChannelView, path = "") => `/api/channels/${ch.id}${path}`;

const Action: FC<{ method: "POST" | "DELETE"; path: string; label: string; confirm?: string; kind?: string }> = ({ method, path, label, confirm, kind }) => (
  <button type="button" class={kind ?? "secondary"} data-action={`${method} ${path}`} data-confirm={confirm}>
    {label}
  </button>
);

const Pairing: FC<{ ch: ChannelView }> = ({ ch }) =>
  ch.pairing ? (
    <div class="pairing" data-testid="pairing">
      <p class="lead">
        Text <strong>{ch.pairing.code}</strong> to <strong>{ch.config.from_number}</strong> from the phone you want to use.
      </p>
      <p class="code" data-testid="pairing-code" aria-label={`Pairing code ${ch.pairing.code.split("").join(" ")}`}>
        {ch.pairing.code}
      </p>
      <p class="muted small">
        The code works until <When iso={ch.pairing.expires_at} />. This page turns to Connected as soon as the text arrives.
      </p>
    </div>
  ) : (
    <p>
      The pairing code expired. <Action method="POST" path={api(ch, "/pairing")} label="New pairing code" />
    </p>
  );

const StatusBlock: FC<{ ch: ChannelView; agent: AgentOption | undefined }> = ({ ch, agent }) => {
  switch (ch.status) {
    case "registering":
      return <p aria-busy="true">Registering {ch.config.from_number} with Twilio…</p>;
    case "pairing":
      return <Pairing ch={ch} />;
    case "connected":
      return (
        <>
          {ch.dispatch_mode === "signal" ? (
            <p class="lead" data-testid="connected">
              Connected, in signal mode. Texts to {ch.config.from_number} are matched against signal watches; {agent?.name ?? "the agent"} does not reply to
              them.
            </p>
          ) : (
            <p class="lead" data-testid="connected">
              Connected. Texts from paired phones to {ch.config.from_number} go to {agent?.name ?? "the agent"}.
            </p>
          )}
          {ch.pairing && <Pairing ch={ch} />}
        </>
      );
    case "failed":
      return (
        <div class="alert bad" role="alert" data-testid="failure">
          <p>
            <strong>Registration failed:</strong> {ch.error?.message ?? "unknown error"}
          </p>
          <p>{hintFor(ch.error?.code ?? "")}</p>
          <Action method="POST" path={api(ch, "/connect")} label="Retry" kind="primary" />
        </div>
      );
    case "disconnected":
      return (
        <p>
          Disconnected: textgate no longer receives texts for {ch.config.from_number}. <Action method="POST" path={api(ch, "/connect")} label="Connect" kind="primary" />
        </p>
      );
  }
};

export const ChannelPart: FC<{ ch: ChannelView; agent: AgentOption | undefined }> = ({ ch, agent }) => {
  const s = CHANNEL_STATUS[ch.status];
  return (
    <section data-part="channel" aria-labelledby="channel-title">
      <div class="page-head">
        <h1 id="channel-title">Twilio SMS · {ch.config.from_number}</h1>
        <Badge tone={s.tone} testid="channel-status">
          {s.label}
        </Badge>
      </div>
      <p class="muted small">
        {ch.handle} · agent {agent ? `${agent.name} (${agent.handle})` : ch.agent_id} · account {ch.config.account_sid}
      </p>
      <div class="card" aria-live="polite">
        <StatusBlock ch={ch} agent={agent} />
        <p class="action-error field-error" data-action-error role="alert" hidden></p>
      </div>
      {(ch.status === "connected" || ch.status === "pairing") && (
        <div class="card">
          <h2>Paired phones</h2>
          {ch.paired_addresses.length === 0 ? (
            <p class="muted">No phone is paired yet.</p>
          ) : (
            <ul class="paired" data-testid="paired">
              {ch.paired_addresses.map((p) => (
                <li>
                  <span class="mono">{p.address}</span> <span class="muted small">since <When iso={p.paired_at} /></span>{" "}
                  <Action method="DELETE" path={api(ch, `/paired-addresses/${encodeURIComponent(p.address)}`)} label="Remove" confirm={`Unpair ${p.address}?`} />
                </li>
              ))}
            </ul>
          )}
          <div class="row">
            {ch.paired_addresses.length > 0 && !ch.pairing && <Action method="POST" path={api(ch, "/pairing")} label="Pair another phone" />}
            <Action method="POST" path={api(ch, "/disconnect")} label="Disconnect" confirm="Stop receiving texts on this number?" kind="danger" />
          </div>
        </div>
      )}
    </section>
  );
};

/** Dispatch mode; switching to signal mode asks first (src/ui/assets/channel.ts). The watches have their own card. */
export const ModePart: FC<{ ch: ChannelView }> = ({ ch }) => (
  <section data-part="mode" class="card" aria-label="Dispatch mode">
    <DispatchChoice mode={ch.dispatch_mode} live confirmSignal={signalSwitchConfirm(ch.config.from_number)} />
    <p class="field-error" data-action-error role="alert" hidden></p>
  </section>
);
