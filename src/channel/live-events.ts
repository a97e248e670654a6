// The settings UI's live view of a channel: its object's "events" WebSockets get each change to the channel, its
// messages and its watches as it happens. Nothing is built or read from D1 unless a socket is listening.
import { messageViews } from "../db/messages";
import type { MessageRow } from "../db/schema";
import { getMessage } from "../db/turns";
import { ok, type Result } from "../lib/result";
import type { ChannelState } from "./state";
import type { ChannelView } from "./view";

export class LiveEvents {
  readonly #ctx: DurableObjectState;
  readonly #state: ChannelState;

  constructor(ctx: DurableObjectState, state: ChannelState) {
    this.#ctx = ctx;
    this.#state = state;
  }

  get listening(): boolean {
    return this.#ctx.getWebSockets("events").length > 0;
  }

  broadcast(event: Record<string, unknown>) {
    const data = JSON.stringify(event);
    for (const ws of this.#ctx.getWebSockets("events")) {
      try {
        ws.send(data);
      } catch {
        // a socket that is going away; its close handler cleans up
      }
    }
  }

  async channel() {
    if (this.listening) this.broadcast({ type: "channel", channel: await this.#state.view() });
  }

  /** A message by id, as the message list shows it. */
  async message(id: string | null | undefined) {
    if (!id || !this.listening) return;
    const m = await getMessage(this.#state.db, id);
    if (m) await this.messageRow(m);
  }

  async messageRow(m: MessageRow) {
    if (this.listening) this.broadcast({ type: "message", message: (await messageViews(this.#state.db, [m]))[0] });
  }

  /** After a change to the channel: tell live subscribers, and answer with the new view. */
  async changed(): Promise<Result<ChannelView>> {
    const view = await this.#state.view();
    if (this.listening) this.broadcast({ type: "channel", channel: view });
    return ok(view);
  }
}
