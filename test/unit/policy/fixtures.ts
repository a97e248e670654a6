// The two policies from the product brief, verbatim: one permit for a single unpaired number, one forbid for a
// short code. Every engine test starts from these.
export const USER_POLICIES = `permit(
  principal == Policy::Agent::"assistant",
  action == Policy::Action::"receive_message",
  resource in Policy::Channel::"sms"
) when { resource.sender.address == "+15559876543" };

forbid(
  principal,
  action == Policy::Action::"receive_message",
  resource
) when { resource.sender.address == "22000" };
`;

export const ALLOWED_NUMBER = "+15559876543";
export const BLOCKED_SHORT_CODE = "22000";
