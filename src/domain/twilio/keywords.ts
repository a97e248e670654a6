// Twilio's default opt-out keywords. Twilio answers these itself and blocks sending to an opted-out recipient
// (error 21610); textgate records them on the sender, runs no turn, and refuses to send before Twilio would.

export type KeywordKind = "opt_out" | "opt_in" | "help";

const KEYWORDS: Record<string, KeywordKind> = {
  STOP: "opt_out",
  STOPALL: "opt_out",
  UNSUBSCRIBE: "opt_out",
  CANCEL: "opt_out",
  END: "opt_out",
  QUIT: "opt_out",
  REVOKE: "opt_out",
  OPTOUT: "opt_out",
  START: "opt_in",
  YES: "opt_in",
  UNSTOP: "opt_in",
  HELP: "help",
  INFO: "help",
};

/** The keyword when the whole trimmed body is one (case-insensitive, trailing punctuation ignored). */
export function matchKeyword(body: string): { keyword: string; kind: KeywordKind } | null {
  const word = body.trim().replace(/[.!]+$/, "").toUpperCase();
  const kind = KEYWORDS[word];
  return kind ? { keyword: word, kind } : null;
}
