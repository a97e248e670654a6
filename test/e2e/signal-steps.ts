// Browser steps for signal watches on the channel page: start one and cancel it, catch a code texted from the
// phone, and a code that came first being taken by a watch started after it (its message record updates live).
import { check, PHONE, shot, step, textFromPhone, type Flow } from "./harness.ts";

async function startWatch(f: Flow, w: { from?: string; contains?: string; minutes: number }) {
  const form = f.ui.locator('form[data-form="new-watch"]');
  await form.getByLabel("From (optional)").fill(w.from ?? "");
  await form.getByLabel("Containing (optional)").fill(w.contains ?? "");
  await form.getByLabel("Wait up to (minutes)").fill(String(w.minutes));
  await form.getByRole("button", { name: "Start watch" }).click();
}

export async function signalSteps(f: Flow) {
  const { ui, stack } = f;
  const waiting = ui.getByTestId("watches-waiting").locator("li");
  const settled = ui.getByTestId("watches-settled").locator("li");

  await step("start a signal watch from the channel page, then cancel it", async () => {
    await startWatch(f, { from: PHONE, contains: "bank", minutes: 4 });
    // No reload: the channel object pushes the new watch over the page's live connection.
    const row = waiting.filter({ hasText: `Code from ${PHONE} containing "bank" · 4 min left` });
    await row.waitFor();
    const id = await row.getAttribute("data-watch-id");
    check(id && !(await row.innerText()).includes(id), "the watch is listed by what it waits for, not by its id");
    const api = await stack.api("GET", `/api/signals/watches/${id}`);
    check(api.body.status === "waiting" && api.body.agent_id && api.body.filters.contains === "bank", "the watch is for the channel's agent and waits for bank");
    await row.getByRole("button", { name: "Cancel" }).click();
    await settled.filter({ hasText: `Code from ${PHONE} containing "bank" · cancelled` }).waitFor();
    check((await stack.api("GET", `/api/signals/watches/${id}`)).body.status === "cancelled", "the API says cancelled");
  });

  await step("a watch catches a code texted from the phone", async () => {
    await startWatch(f, { contains: "code", minutes: 2 });
    const row = waiting.filter({ hasText: 'Code containing "code" · 2 min left' });
    await row.waitFor();
    const id = (await row.getAttribute("data-watch-id"))!;
    await textFromPhone(f, "Your code is 482913");
    await ui.getByTestId("signal-match").filter({ hasText: "Code 482913;" }).filter({ hasText: `taken by signal watch ${id}.` }).waitFor();
    await settled.filter({ hasText: 'Code containing "code" · matched code 482913' }).waitFor();
    const done = await stack.api("GET", `/api/signals/watches/${id}`);
    check(done.body.status === "matched" && done.body.signal?.code === "482913", "the watch matched code 482913");
    await shot(ui, "11-signal-matched");
  });

  await step("a code that came first is taken by a watch started later, and its message says so", async () => {
    await textFromPhone(f, "Your bank code is 771234");
    const note = ui.getByTestId("signal-match").filter({ hasText: "Code 771234" });
    await note.filter({ hasText: "no signal watch has taken it yet" }).waitFor();
    await startWatch(f, { contains: "bank", minutes: 3 });
    await settled.filter({ hasText: 'Code containing "bank" · matched code 771234' }).waitFor();
    await note.filter({ hasText: "taken by signal watch wt_" }).waitFor();
    await shot(ui, "12-signal-lookback");
  });
}
