// A channel's messages, newest first, with statuses in words and their media (pictures as thumbnails loaded through
// the authenticated media route); warns when Twilio's status callbacks are not arriving (outbound messages stuck
// before "sent" for over two minutes).
import type { FC } from "hono/jsx";
import type { ChannelView } from "../../channel/view";
import { isImage } from "../../domain/media";
import type { MessageView } from "../data";
import { Badge, When } from "../layout";
import { AWAITING_CALLBACK, CALLBACK_GRACE_MS, dropReasonText, mediaText, messageStatus, signalText } from "../words";

export function stuckMessages(messages: MessageView[], now: number): number {
  return messages.filter((m) => m.direction === "outbound" && AWAITING_CALLBACK.has(m.status) && now - Date.parse(m.created_at) > CALLBACK_GRACE_MS).length;
}

/** A failed reply's error: Twilio's code and words, what they mean, what to do, and Twilio's page for the code. */
const MessageError: FC<{ e: NonNullable<MessageView["error"]> }> = ({ e }) => (
  <div class="small reason" data-testid="message-error" data-error-code={e.code ?? undefined}>
    <p class="bad-text">
      {e.code && /^\d+$/.test(e.code) ? `Twilio error ${e.code}: ` : ""}
      {e.message}
    </p>
    {e.explanation !== e.message && <p>{e.explanation}</p>}
    {e.hint && <p class="hint">{e.hint}</p>}
    {e.more_info && (
      <p>
        <a href={e.more_info} rel="noopener noreferrer" target="_blank">
          Twilio's page for error {e.code}
        </a>
      </p>
    )}
  </div>
);

const Media: FC<{ items: MessageView["media"] }> = ({ items }) => (
  <ul class="media" aria-label="Media">
    {items.map((x) => {
      const text = mediaText(x);
      return (
        <li data-media-status={x.status}>
          {x.status === "stored" && isImage(x.content_type) ? (
            <a href={x.url} target="_blank" rel="noopener">
              <img class="thumb" src={x.url} alt={`Picture (${text})`} loading="lazy" />
            </a>
          ) : x.status === "stored" ? (
            <a href={x.url}>{text}</a>
          ) : (
            <span class={x.status === "pending" ? "muted" : "bad-text"}>{text}</span>
          )}
        </li>
      );
    })}
  </ul>
);

const Message: FC<{ m: MessageView }> = ({ m }) => {
  const s = messageStatus(m.status);
  const inbound = m.direction === "inbound";
  return (
    <li class={`message ${m.direction}`} data-message-id={m.id} data-status={m.status}>
      <div class="meta small">
        <span>{inbound ? `From ${m.from}` : m.direction === "watch" ? `Signal watch ${m.from}, for ${m.to}` : `To ${m.to}`}</span>
        <When iso={m.created_at} />
        <Badge tone={s.tone} testid="message-status">
          {s.label}
        </Badge>
      </div>
      <p class="body">{m.body}</p>
      {m.media.length > 0 && <Media items={m.media} />}
      {m.status === "dropped" && <p class="small muted reason">{dropReasonText(m.drop_reason, m.meta)}</p>}
      {m.status === "signal" && (
        <p class="small muted reason" data-testid="signal-match">
          {signalText(m.meta)}
        </p>
      )}
      {m.error && <MessageError e={m.error} />}
    </li>
  );
};

export const MessagesPart: FC<{ ch: ChannelView; messages: MessageView[]; now: number }> = ({ ch, messages, now }) => {
  const stuck = stuckMessages(messages, now);
  return (
    <section data-part="messages" aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      {stuck > 0 && (
        <p class="alert warn" role="status" data-testid="callbacks-missing">
          {stuck === 1 ? "One reply has" : `${stuck} replies have`} waited over two minutes for Twilio to report it sent: status callbacks are not
          arriving. Check that SERVER_EXTERNAL_URL{ch.status_callback_url ? ` (${ch.status_callback_url})` : ""} is reachable by Twilio.
        </p>
      )}
      {messages.length === 0 ? (
        <p class="muted">No messages yet.</p>
      ) : (
        <ol class="messages" aria-label="Messages, newest first">
          {messages.map((m) => (
            <Message m={m} />
          ))}
        </ol>
      )}
    </section>
  );
};
