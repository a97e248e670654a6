// The public shape of a channel (API v1). Built from the D1 row; never includes the auth token.
import type { ChannelRow } from "../db/schema";

export interface ChannelView {
  id: string;
  provider: "twilio_sms";
  handle: string;
  space_id: string;
  agent_id: string;
  status: ChannelRow["status"];
  error: { code: string; message: string } | null;
  dispatch_mode: "message" | "signal";
  webhook_url: string | null;
  status_callback_url: string | null;
  pairing: { code: string; expires_at: string } | null;
  paired_addresses: { address: string; paired_at: string }[];
  config: { account_sid: string; from_number: string; messaging_service_sid: string | null };
  created_at: string;
  updated_at: string;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function webhookUrl(externalUrl: string | null, channelId: string): string | null {
  return externalUrl ? `${externalUrl}/webhooks/twilio/sms/${channelId}` : null;
}

export function toChannelView(
  row: ChannelRow,
  paired: { address: string; pairedAt: number }[],
  externalUrl: string | null,
  now = Date.now(),
): ChannelView {
  const hook = webhookUrl(externalUrl, row.id);
  const pairingActive = row.pairingCode && row.pairingExpiresAt && row.pairingExpiresAt > now;
  return {
    id: row.id,
    provider: row.provider,
    handle: row.handle,
    space_id: row.spaceId,
    agent_id: row.agentId,
    status: row.status,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? row.errorCode } : null,
    dispatch_mode: row.dispatchMode,
    webhook_url: hook,
    status_callback_url: hook && `${hook}/status`,
    pairing: pairingActive ? { code: row.pairingCode!, expires_at: iso(row.pairingExpiresAt!) } : null,
    paired_addresses: paired.map((p) => ({ address: p.address, paired_at: iso(p.pairedAt) })),
    config: { account_sid: row.accountSid, from_number: row.fromNumber, messaging_service_sid: row.messagingServiceSid },
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
