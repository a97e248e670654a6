// What Cedar is told about one inbound message. Together with schema.ts this is the contract policy authors
// write against; the request is checked against the schema, so drifting from it fails loudly, never as a quiet deny.
import type { EntityJson, StatefulAuthorizationCall } from "@cedar-policy/cedar-wasm/web";
import { E164, SHORT_CODE, isAddress } from "../phone";
import { MAX_ADDRESS_LENGTH, MAX_HANDLE_LENGTH } from "./limits";
import { ACTION, AGENT, CHANNEL, MESSAGE, type PolicyAction, type SenderKind } from "./schema";

export interface DecisionQuery {
  /** Agent handle, e.g. "assistant". */
  agent: string;
  action: PolicyAction;
  /** Channel handle, e.g. "sms". */
  channel: string;
  sender: { address: string; paired: boolean };
  /** Every address paired on the channel. */
  pairedAddresses?: string[];
}

export type CedarRequest = Pick<StatefulAuthorizationCall, "principal" | "action" | "resource" | "context" | "entities">;

export function senderKind(address: string): SenderKind {
  if (E164.test(address)) return "e164";
  if (SHORT_CODE.test(address)) return "short_code";
  return isAddress(address) ? "alphanumeric" : "unknown";
}

/** Why the query is not put to Cedar (a string past its bound), or null. Such a query is denied. */
export function queryProblem(q: DecisionQuery): string | null {
  if (q.agent.length > MAX_HANDLE_LENGTH) return `agent handle is longer than ${MAX_HANDLE_LENGTH} characters`;
  if (q.channel.length > MAX_HANDLE_LENGTH) return `channel handle is longer than ${MAX_HANDLE_LENGTH} characters`;
  const addresses = [q.sender.address, ...(q.pairedAddresses ?? [])];
  if (addresses.some((a) => a.length > MAX_ADDRESS_LENGTH)) return `a sender address is longer than ${MAX_ADDRESS_LENGTH} characters`;
  return null;
}

export function cedarRequest(q: DecisionQuery): CedarRequest {
  const agent = { type: AGENT, id: q.agent };
  const channel = { type: CHANNEL, id: q.channel };
  // A decision depends on who sent the message, not on its text, so the sender's address identifies it.
  const message = { type: MESSAGE, id: q.sender.address };
  const entities: EntityJson[] = [
    { uid: agent, attrs: {}, parents: [] },
    { uid: channel, attrs: {}, parents: [] },
    {
      uid: message,
      attrs: { sender: { address: q.sender.address, paired: q.sender.paired, kind: senderKind(q.sender.address) } },
      parents: [channel],
    },
  ];
  return {
    principal: agent,
    action: { type: ACTION, id: q.action },
    resource: message,
    context: { paired_addresses: [...new Set(q.pairedAddresses ?? [])] },
    entities,
  };
}
