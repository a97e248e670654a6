// What the Policies page says about the built-in policies, the commented example a new user starts from, and how a
// decision's reasons (policy ids) read: "base.*" are built in, "user.N" is the N+1th policy in the editor, others
// are the @id a policy was given.
import { BASE_POLICIES } from "../domain/policy";

const MEANING: Record<string, string> = {
  "base.paired_senders": "A phone that paired with a channel may message that channel's agent.",
  "base.signals": "Every agent's signal watches may take a text (a code) from any sender; forbid receive_signal to narrow this.",
};

export const BUILT_IN = Object.entries(BASE_POLICIES).map(([id, text]) => ({ id, means: MEANING[id] ?? "", text }));

/** The editor's text while no policy has been saved: comments only, so saving it as it is changes nothing. */
export const policyExample = (agent: string, channel: string) => `// Your policies, on top of the built-in ones. A forbid always wins over a permit.
// Remove the // in front of a policy's lines to use it.
//
// Let one number reach agent "${agent}" on channel "${channel}" without pairing:
// permit(
//   principal == Policy::Agent::"${agent}",
//   action == Policy::Action::"receive_message",
//   resource in Policy::Channel::"${channel}"
// ) when { resource.sender.address == "+15559876543" };
//
// Never hand texts from the short code 22000 to any agent:
// forbid(
//   principal,
//   action == Policy::Action::"receive_message",
//   resource
// ) when { resource.sender.address == "22000" };
`;
