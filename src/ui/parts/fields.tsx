// Form pieces shared by "Add channel" and a channel's settings: the Twilio credentials and the dispatch mode.
import type { FC } from "hono/jsx";
import { FieldError } from "../layout";
import { DISPATCH_MODES } from "../words";

interface TwilioFieldsProps {
  accountSid: string;
  fromNumber: string;
  /** The Messaging Service replies go through ("" when none). */
  serviceSid: string;
  /** A VOICE_TWILIO_AUTH_TOKEN (new channel) or a stored token (existing channel) is used when the field is empty. */
  hasDefaultToken: boolean;
  tokenPlaceholder?: string;
  legend?: string;
}

export const TwilioFields: FC<TwilioFieldsProps> = ({ accountSid, fromNumber, serviceSid, hasDefaultToken, tokenPlaceholder = "using the configured default", legend = "Twilio" }) => (
  <fieldset>
    <legend>{legend}</legend>
    <label for="account_sid">Account SID</label>
    <input
      id="account_sid"
      name="config.account_sid"
      value={accountSid}
      placeholder="AC…"
      autocomplete="off"
      spellcheck={false}
      aria-describedby="err-config.account_sid"
    />
    <FieldError path="config.account_sid" />
    <label for="auth_token">Auth token</label>
    <input
      id="auth_token"
      name="config.auth_token"
      type="password"
      autocomplete="new-password"
      placeholder={hasDefaultToken ? tokenPlaceholder : "Twilio auth token"}
      aria-describedby="err-config.auth_token"
    />
    <FieldError path="config.auth_token" />
    <label for="from_number">From number</label>
    <input
      id="from_number"
      name="config.from_number"
      value={fromNumber}
      placeholder="+15551234567"
      inputmode="tel"
      autocomplete="off"
      aria-describedby="err-config.from_number"
    />
    <FieldError path="config.from_number" />
    <label for="messaging_service_sid">
      Messaging Service SID <span class="muted small">(optional)</span>
    </label>
    <input
      id="messaging_service_sid"
      name="config.messaging_service_sid"
      value={serviceSid}
      placeholder="MG…"
      autocomplete="off"
      spellcheck={false}
      aria-describedby="hint-messaging_service_sid err-config.messaging_service_sid"
    />
    <p class="hint" id="hint-messaging_service_sid">
      Send replies through a Messaging Service (what US A2P 10DLC needs). It must defer incoming texts to the number's webhook; Diagnostics checks that.
    </p>
    <FieldError path="config.messaging_service_sid" />
  </fieldset>
);

/**
 * `live`: on a channel page each change is saved at once (PATCH), and switching to signal mode first asks
 * `confirmSignal`; in the add form it is just a field.
 */
export const DispatchChoice: FC<{ mode: "message" | "signal"; live?: boolean; confirmSignal?: string }> = ({ mode, live, confirmSignal }) => (
  <fieldset data-dispatch={live ? "live" : undefined}>
    <legend>Dispatch mode</legend>
    <div class="segmented">
      {(["message", "signal"] as const).map((m) => (
        <label class="choice">
          <input type="radio" name="dispatch_mode" value={m} checked={mode === m} data-confirm={m === "signal" ? confirmSignal : undefined} /> {DISPATCH_MODES[m].label}
        </label>
      ))}
    </div>
    {(["message", "signal"] as const).map((m) => (
      <p class="hint" data-show-when={`dispatch_mode=${m}`} hidden={mode !== m}>
        {DISPATCH_MODES[m].consequence}
      </p>
    ))}
    <FieldError path="dispatch_mode" />
  </fieldset>
);
