// The built-in policies under every user policy set. They are the product's defaults: pairing is what lets a
// sender reach an agent, and signal watches see every sender. User policies add permits or forbids on top, and a
// matching forbid wins over these permits, as it does everywhere in Cedar.

export const BASE_ID_PREFIX = "base.";

export const BASE_POLICIES: Readonly<Record<string, string>> = {
  "base.paired_senders": `permit(
  principal,
  action == Policy::Action::"receive_message",
  resource
) when { resource.sender.paired };`,

  // Any agent may wait on a signal-mode channel: receive_signal is decided for the agent whose watch would take the
  // signal (not the channel's own agent), so the owner narrows who may with forbids. A sender forbidden to reach
  // an agent still feeds signal watches, unless a policy forbids receive_signal too.
  "base.signals": `permit(
  principal,
  action == Policy::Action::"receive_signal",
  resource
);`,
};
