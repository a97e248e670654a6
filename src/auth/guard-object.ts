// The failed-credential count of one client (one object per client key, see clientKey): kept in the object's own
// storage and changed synchronously, so failures arriving together are each counted once. The worker asks it
// before letting a credential through; the rule itself is in domain/auth/failures.
import { DurableObject } from "cloudflare:workers";
import { afterFailure, AUTH_WINDOW_MS, current, verdict, type AuthVerdict, type FailureVerdict, type FailureWindow } from "../domain/auth/failures";
import { clock } from "../lib/clock";

const WINDOW = "failure_window";

export class AuthGuard extends DurableObject<Env> {
  /** Whether a correct credential from this client may pass (a valid agent key). */
  async check(): Promise<AuthVerdict> {
    return verdict(this.#window(), clock.now());
  }

  /** A wrong credential: counted, or refused outright when the client is already blocked. */
  async fail(): Promise<FailureVerdict> {
    const now = clock.now();
    const { window, verdict: v } = afterFailure(this.#window(), now);
    if (v.status === "counted") {
      this.ctx.storage.kv.put(WINDOW, window);
      // The window's end forgets the client entirely: an object with nothing stored costs nothing.
      if (window.failures === 1) await this.ctx.storage.setAlarm(window.openedAt + AUTH_WINDOW_MS);
    }
    return v;
  }

  /**
   * The correct ADMIN_TOKEN: passes unless the client is blocked, and then clears its failures. Only someone who
   * knows the admin token can clear them, and a blocked client cannot (so the right guess teaches it nothing).
   */
  async succeed(): Promise<AuthVerdict> {
    const w = this.#window();
    const v = verdict(w, clock.now());
    if (v.status === "open" && w) this.ctx.storage.kv.delete(WINDOW);
    return v;
  }

  override async alarm() {
    if (!current(this.#window(), clock.now())) await this.ctx.storage.deleteAll();
  }

  #window(): FailureWindow | null {
    return this.ctx.storage.kv.get<FailureWindow>(WINDOW) ?? null;
  }
}
