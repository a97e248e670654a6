// A channel's health: its number checked against Twilio (on the object's schedule, hourly; when the channel page
// opens; on demand), the latest result kept in the object's SQLite, and recent signature failures with their
// diagnosis. A number that stopped sending texts here shows on the channel itself as an error while it stays
// connected, so "Connected" never hides a number someone pointed elsewhere.
import { z } from "zod";
import { getChannel } from "../db/channels";
import { callbackGaps, lastInboundAt } from "../db/health";
import {
  credentialsCheck,
  inboundCheck,
  messagingServiceCheck,
  signatureCheck,
  smsUrlCheck,
  statusCallbacksCheck,
  type ChannelFacts,
  type HealthCheck,
  type HealthReport,
  type SignatureFailure,
} from "../domain/twilio/health";
import type { SignatureDiagnosis } from "../domain/twilio/signature-diagnosis";
import { clock } from "../lib/clock";
import type { Schedule } from "./schedule";
import type { ChannelState } from "./state";

export const HEALTH = "health";
const EVERY_MS = 3600_000;
/** A result this young answers a request again instead of asking Twilio once more (page, part and API at once). */
const FRESH_MS = 5_000;
const FAILURES_KEPT = 20;
const FAILURES_KEEP_MS = 24 * 3600_000;
/** A reply's status callback normally comes within seconds; one missing after this long is worth a warning. */
const CALLBACK_GRACE_MS = 10 * 60_000;
const CALLBACK_WINDOW_MS = 24 * 3600_000;
/** Row errors only the health check sets, and so the only ones it clears again. */
const HEALTH_ERRORS = new Set(["sms_url_changed", "credentials_rejected", "messaging_service_changed"]);

const diagnosis: z.ZodType<SignatureDiagnosis> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unsigned") }),
  z.object({ kind: z.literal("no_external_url") }),
  z.object({ kind: z.literal("url_mismatch"), signedUrl: z.string(), expectedUrl: z.string(), externalUrl: z.string() }),
  z.object({ kind: z.literal("token"), expectedUrl: z.string() }),
]);
const storedReport: z.ZodType<HealthReport> = z.object({
  checked_at: z.string(),
  checks: z.array(z.object({ id: z.enum(["credentials", "sms_url", "messaging_service", "signature", "status_callbacks", "inbound"]), status: z.enum(["ok", "warn", "fail"]), message: z.string(), hint: z.string().nullable() })),
});

export class HealthDesk {
  readonly #sql: SqlStorage;
  readonly #state: ChannelState;
  #running: { generation: number; report: Promise<HealthReport> } | null = null;
  /**
   * Bumped whenever what the checks look at may have changed (a registration, a refused webhook). A run that began
   * under an older generation, or while a change was under way, answers its own caller but is neither kept nor
   * shown on the channel: it may have read the number before "Point it back" repaired it.
   */
  #generation = 0;
  #changing = 0;
  /** False once the failures table is known to be empty, so a verified webhook costs no write. */
  #mayHaveFailures = true;
  /** Told when a check changed what the channel shows (its error). */
  onChanged: () => Promise<void> = async () => {};

  constructor(sql: SqlStorage, state: ChannelState) {
    this.#sql = sql;
    this.#state = state;
  }

  migrate() {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS health_report (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL, report TEXT NOT NULL)`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS signature_failures (at INTEGER NOT NULL, diagnosis TEXT NOT NULL)`);
  }

  /** The checks as of now: the stored result if it is younger than `maxAgeMs`, else a new run (shared by concurrent callers). */
  async report(now: number, maxAgeMs = FRESH_MS): Promise<HealthReport> {
    const last = this.#sql.exec<{ checked_at: number; report: string }>(`SELECT checked_at, report FROM health_report`).toArray()[0];
    if (last && now >= last.checked_at && now - last.checked_at < maxAgeMs) {
      const parsed = storedReport.safeParse(JSON.parse(last.report));
      if (parsed.success) return parsed.data;
    }
    if (this.#running?.generation !== this.#generation) {
      const generation = this.#generation;
      const report = this.#run(now, generation).finally(() => {
        if (this.#running?.report === report) this.#running = null;
      });
      this.#running = { generation, report };
    }
    return this.#running.report;
  }

  /** Something the checks look at changed (registration, a refused webhook): the next request checks again. */
  invalidate() {
    this.#generation++;
    this.#sql.exec(`DELETE FROM health_report`);
  }

  /** Runs a change to the number (registration, release): checks overlapping it are not kept; the next one runs anew. */
  async changing<T>(work: () => Promise<T>): Promise<T> {
    this.#changing++;
    this.invalidate();
    try {
      return await work();
    } finally {
      this.#changing--;
      this.invalidate();
    }
  }

  async #run(now: number, generation: number): Promise<HealthReport> {
    const overlapped = this.#changing > 0;
    const row = this.#state.row;
    const hook = this.#state.webhookUrl();
    const facts: ChannelFacts = { channelId: row.id, accountSid: row.accountSid, fromNumber: row.fromNumber, status: row.status, webhookUrl: hook, statusCallbackUrl: hook && `${hook}/status` };
    const client = await this.#state.client();
    const [read, service] = await Promise.all([
      row.numberSid ? client.getIncomingNumber(row.numberSid) : client.findIncomingNumber(row.fromNumber),
      row.messagingServiceSid ? client.getMessagingService(row.messagingServiceSid) : null,
    ]);
    const [pointsAt, lastIn, gaps] = await Promise.all([
      read.ok && read.value?.sms_url ? this.#channelAt(read.value.sms_url) : null,
      lastInboundAt(this.#state.db, row.id),
      callbackGaps(this.#state.db, row.id, now - CALLBACK_WINDOW_MS, now - CALLBACK_GRACE_MS),
    ]);
    const checks: HealthCheck[] = [
      credentialsCheck(facts, read),
      smsUrlCheck(facts, read, pointsAt),
      messagingServiceCheck(facts, row.messagingServiceSid, service),
      signatureCheck(this.#failures(now)),
      statusCallbacksCheck(facts, gaps),
      inboundCheck(lastIn),
    ];
    const report: HealthReport = { checked_at: new Date(now).toISOString(), checks };
    if (overlapped || generation !== this.#generation) return report;
    this.#sql.exec(`INSERT INTO health_report (id, checked_at, report) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, report = excluded.report`, now, JSON.stringify(report));
    await this.#showOnChannel(checks, read.ok);
    return report;
  }

  /** Another of our channels, when `url` is its webhook: the drift then names it. */
  async #channelAt(url: string): Promise<{ id: string; handle: string } | null> {
    const m = /\/webhooks\/twilio\/sms\/([A-Za-z0-9_-]{1,100})$/.exec(url);
    if (!m || m[1] === this.#state.row.id) return null;
    const other = await getChannel(this.#state.db, m[1]!);
    return other && this.#state.webhookUrl()?.replace(this.#state.row.id, other.id) === url ? { id: other.id, handle: other.handle } : null;
  }

  /** A working channel whose number stopped sending here (or whose token was rejected) says so in its error. */
  async #showOnChannel(checks: HealthCheck[], numberRead: boolean) {
    const row = this.#state.row;
    if (row.status !== "pairing" && row.status !== "connected") return;
    if (row.errorCode && !HEALTH_ERRORS.has(row.errorCode)) return;
    const creds = checks.find((c) => c.id === "credentials")!;
    const sms = checks.find((c) => c.id === "sms_url")!;
    const service = checks.find((c) => c.id === "messaging_service")!;
    const problem =
      creds.status === "fail"
        ? { errorCode: "credentials_rejected", errorMessage: creds.message }
        : numberRead && sms.status !== "ok"
          ? { errorCode: "sms_url_changed", errorMessage: sms.message }
          : service.status === "fail"
            ? { errorCode: "messaging_service_changed", errorMessage: service.message }
            : null;
    if (problem && (row.errorCode !== problem.errorCode || row.errorMessage !== problem.errorMessage)) await this.#state.update(problem);
    else if (!problem && row.errorCode) await this.#state.update({ errorCode: null, errorMessage: null });
    else return;
    await this.onChanged();
  }

  // ── signature failures ──

  signatureFailed(d: SignatureDiagnosis, now: number) {
    this.#sql.exec(`INSERT INTO signature_failures (at, diagnosis) VALUES (?, ?)`, now, JSON.stringify(d));
    this.#sql.exec(
      `DELETE FROM signature_failures WHERE at < ? OR rowid NOT IN (SELECT rowid FROM signature_failures ORDER BY at DESC, rowid DESC LIMIT ?)`,
      now - FAILURES_KEEP_MS,
      FAILURES_KEPT,
    );
    this.#mayHaveFailures = true;
    this.invalidate();
  }

  /** A webhook verified: whatever was wrong before is fixed, so earlier failures no longer describe the channel. */
  signatureVerified() {
    if (!this.#mayHaveFailures) return;
    this.#mayHaveFailures = false;
    if (this.#sql.exec(`DELETE FROM signature_failures`).rowsWritten > 0) this.invalidate();
  }

  #failures(now: number): SignatureFailure[] {
    return this.#sql
      .exec<{ at: number; diagnosis: string }>(`SELECT at, diagnosis FROM signature_failures WHERE at >= ? ORDER BY at DESC, rowid DESC`, now - FAILURES_KEEP_MS)
      .toArray()
      .flatMap((r) => {
        const d = diagnosis.safeParse(JSON.parse(r.diagnosis));
        return d.success ? [{ at: r.at, diagnosis: d.data }] : [];
      });
  }
}

/** The hourly check on the object's one schedule, from the moment a channel is loaded here. */
export function registerHealth(schedule: Schedule, state: ChannelState, health: HealthDesk) {
  schedule.on(HEALTH, async (_key, channelId, now) => {
    if (!channelId || !(await state.load(channelId))) return null;
    await health.report(now, 0);
    return now + EVERY_MS;
  });
  const loaded = state.onLoaded;
  state.onLoaded = (row) => {
    loaded(row);
    schedule.schedule(HEALTH, "hourly", clock.now() + EVERY_MS, row.id).catch((err) => console.error("could not schedule the health check", err));
  };
}
