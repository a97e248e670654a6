// The channel page's diagnostics: the same checks GET /api/channels/:id/diagnostics returns, and, when the number no
// longer sends its texts here, a warning with what was found and "Point it back" (POST /api/channels/:id/connect).
// Re-fetched as the "diagnostics" part like the page's other live parts.
import type { FC } from "hono/jsx";
import type { ChannelView } from "../../channel/view";
import type { CheckId, CheckStatus, HealthReport } from "../../domain/twilio/health";
import { Badge, When } from "../layout";
import type { Tone } from "../words";

const TITLES: Record<CheckId, string> = {
  credentials: "Credentials",
  sms_url: "Number's SMS webhook",
  messaging_service: "Messaging Service",
  signature: "Webhook signatures",
  status_callbacks: "Status callbacks",
  inbound: "Incoming texts",
};
const TONES: Record<CheckStatus, { tone: Tone; label: string }> = { ok: { tone: "ok", label: "OK" }, warn: { tone: "wait", label: "Warning" }, fail: { tone: "bad", label: "Failing" } };

export const DiagnosticsPart: FC<{ ch: ChannelView; report: HealthReport | null }> = ({ ch, report }) => {
  const number = report?.checks.find((c) => c.id === "sms_url");
  const drifted = number && number.status !== "ok" && ch.status !== "disconnected" && ch.status !== "failed" && !number.message.startsWith("Not checked");
  return (
    <section data-part="diagnostics" class="card" aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">Diagnostics</h2>
      {drifted && (
        <div class="alert warn" role="alert" data-testid="sms-url-drift">
          <p>
            <strong>Texts to {ch.config.from_number} may not reach this channel.</strong> {number.message}
          </p>
          <button type="button" class="primary" data-action={`POST /api/channels/${ch.id}/connect`}>
            Point it back
          </button>
        </div>
      )}
      {report ? (
        <ul class="checks" data-testid="checks">
          {report.checks.map((c) => (
            <li data-check={c.id} data-status={c.status}>
              <Badge tone={TONES[c.status].tone}>{TONES[c.status].label}</Badge> <strong>{TITLES[c.id]}</strong>: {c.message}
              {c.hint && <p class="hint small">{c.hint}</p>}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">The checks could not be run just now.</p>
      )}
      <p class="muted small">
        {report && (
          <>
            Checked <When iso={report.checked_at} />. Checked again every hour.{" "}
          </>
        )}
        <button type="button" class="secondary" data-diagnostics-refresh>
          Check now
        </button>
      </p>
      <p class="action-error field-error" data-action-error role="alert" hidden></p>
    </section>
  );
};
