// What a policy may say about an inbound message: the Cedar schema every user policy is validated against.
// Strict validation is what keeps a mistyped `forbid` from silently never matching, so widen this with care.
// Kept as a string so wrangler and Vite both bundle it without a text-module rule.

export const NAMESPACE = "Policy";

export const POLICY_ACTIONS = ["receive_message", "receive_signal"] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** Cedar entity type names, fully qualified. */
export const AGENT = `${NAMESPACE}::Agent`;
export const CHANNEL = `${NAMESPACE}::Channel`;
export const MESSAGE = `${NAMESPACE}::Message`;
export const ACTION = `${NAMESPACE}::Action`;

/** How the sender wrote its address; see `senderKind`. */
export type SenderKind = "e164" | "short_code" | "alphanumeric" | "unknown";

export const SCHEMA = `
namespace Policy {
  // An AI agent that may be handed messages; the id is the agent handle ("assistant").
  entity Agent;

  // A channel (a phone number and its transport); the id is the channel handle ("sms").
  entity Channel;

  type Sender = {
    // As Twilio writes it: +15551234567, 22000, or an alphanumeric sender id.
    address: String,
    // Whether this address completed pairing on the channel.
    paired: Bool,
    // "e164" | "short_code" | "alphanumeric" | "unknown"
    kind: String,
  };

  // One inbound message, filed under the channel it arrived on (so \`resource in Policy::Channel::"sms"\`).
  entity Message in [Channel] {
    sender: Sender,
  };

  // receive_message: the agent gets the message as a turn. receive_signal: the message may satisfy a signal watch.
  action receive_message, receive_signal appliesTo {
    principal: [Agent],
    resource: [Message],
    context: {
      // Every address paired on the channel, for policies that compare senders.
      paired_addresses: Set<String>,
    },
  };
}
`;
