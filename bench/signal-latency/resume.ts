// bench/signal-latency, second part: how long after the signal's webhook is accepted a conversation that is waiting
// on a long await_signal has its continuation SMS sent. builtin:echo starts each wait ("await_signal {json}") and
// answers the continuation offline; "sent" is the moment the channel's event stream reports the continuation's
// reply with its Twilio SID. Everything the path crosses is measured: the watch settling, the outbox row, the
// holding object's alarm, the RPC to the conversation's object, the Queue, the turn and the Twilio send.
import { ADMIN, signedSms, type Stack } from "../lib/stack.ts";

const OWNER = "+15557770001";

interface Channel {
  account: { sid: string; token: string };
  channel: { id: string; config: { from_number: string }; pairing?: { code: string } | null };
}

/** A message-mode channel on builtin:echo with OWNER paired, in a space of its own. */
async function conversation(stack: Stack, phone: string): Promise<Channel> {
  const account = stack.twilio.addAccount({ numbers: [{ phone_number: phone }] });
  const space = await stack.call("POST", "/api/spaces", { name: "bench conversation" });
  const agent = await stack.call("POST", "/api/agents", { name: "echo", space_id: space.id, model: "builtin:echo" });
  const channel = await stack.call("POST", "/api/channels", { provider: "twilio_sms", space_id: space.id, agent_id: agent.id, config: { account_sid: account.sid, auth_token: account.token, from_number: phone } });
  const c = { account, channel };
  const paired = await signedSms(stack, c, OWNER, channel.pairing.code)();
  if (!paired.ok) throw new Error(`pairing failed: ${paired.status}`);
  return c;
}

/** How long one step may take before the run stops and says which (a stuck step must not hang the benchmark). */
const STEP_TIMEOUT_MS = 60_000;

/** The channel's live events: resolves `next(pred)` with the first message event (from now on) that fits. */
function events(stack: Stack, channelId: string) {
  const ws = new WebSocket(`${stack.app.url.replace("http", "ws")}/api/channels/${channelId}/events`, { headers: { authorization: `Bearer ${ADMIN}` } } as any);
  let waiting: { pred: (m: any) => boolean; resolve: (at: number) => void } | null = null;
  ws.onmessage = (e) => {
    const event = JSON.parse(String(e.data));
    if (event.type === "message" && waiting?.pred(event.message)) {
      const w = waiting;
      waiting = null;
      w.resolve(performance.now());
    }
  };
  return {
    opened: new Promise<void>((r) => ws.addEventListener("open", () => r(), { once: true })),
    next: (what: string, pred: (m: any) => boolean) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${STEP_TIMEOUT_MS / 1000} s (see the channel's messages and turns)`)), STEP_TIMEOUT_MS);
        waiting = { pred, resolve: (at) => (clearTimeout(timer), resolve(at)) };
      }),
    close: () => ws.close(),
  };
}

/** Webhook accepted → continuation SMS sent, for `n` conversations resumed one after another (after `warmup`). */
export async function resumeLatency(stack: Stack, signals: Channel, n: number, warmup = 10): Promise<number[]> {
  const chat = await conversation(stack, "+15005550007");
  const live = events(stack, chat.channel.id);
  await live.opened;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < n + warmup; i++) {
      const nonce = `R${i.toString(36)}x${Math.random().toString(36).slice(2, 6)}`;
      const input = { channel_id: signals.channel.id, contains: nonce, title: nonce, timeout_s: 3600, lookback_s: 0 };
      // The first turn: echo starts the wait and says so; its reply is sent before the code comes.
      const started = live.next("reply to the first turn", (m) => m.direction === "outbound" && m.twilio_sid && m.body.startsWith("Echo: await_signal waiting"));
      await (await signedSms(stack, chat, OWNER, `await_signal ${JSON.stringify(input)}`)()).arrayBuffer();
      await started;
      const resumed = live.next("continuation SMS", (m) => m.direction === "outbound" && m.twilio_sid && m.body.includes(`watch ${nonce} matched`));
      const send = signedSms(stack, signals, "+15550009999", `Your code is ${100000 + i} (${nonce})`);
      const res = await send();
      await res.arrayBuffer();
      const accepted = performance.now();
      const sent = await resumed;
      if (i >= warmup) latencies.push(sent - accepted);
    }
  } finally {
    live.close();
  }
  return latencies.sort((a, b) => a - b);
}
