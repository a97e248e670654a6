// The policy engine's public surface: Cedar decides which inbound senders each agent receives. Everything else
// in this folder is internal, so a review of the trust boundary can start from this list.
export { validatePolicies } from "./compile";
export { describeDecision } from "./describe";
export { getPolicyEngine, PolicyEngine, type PolicyDecision } from "./engine";
export type { PolicyProblem } from "./problems";
export { senderKind, type DecisionQuery } from "./request";
export { BASE_POLICIES } from "./base";
export { POLICY_ACTIONS, SCHEMA, type PolicyAction, type SenderKind } from "./schema";
export { HANDLE, MAX_ADDRESS_LENGTH, MAX_HANDLE_LENGTH, MAX_POLICY_CHAIN, MAX_POLICY_NESTING, MAX_POLICY_TEXT_LENGTH } from "./limits";
