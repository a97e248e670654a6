// Browser steps for the rest of the settings: policies (built-ins, the example, errors in words, the tester), a
// page that does not exist, a failed channel, and deleting a channel whose number now points elsewhere.
import { check, confirmDialog, PHONE, shot, step, type Flow } from "./harness.ts";
import { EMULATOR_ACCOUNT_SID, EMULATOR_NUMBER } from "./stack.ts";

const SHORT_CODE_FORBID = `forbid(
  principal,
  action == Policy::Action::"receive_message",
  resource
) when { resource.sender.address == "22000" };
`;

export async function settingsSteps(f: Flow) {
  const { ui, base, stack } = f;
  let failedId = "";

  await step("the policies page shows the built-ins and starts from a commented example", async () => {
    await ui.getByRole("link", { name: "Policies" }).click();
    await ui.waitForURL(`${base}/settings/policies`);
    await ui.getByTestId("built-in-policies").getByText("base.paired_senders").waitFor();
    const status = ui.locator("[data-policy-status]");
    await status.filter({ hasText: "Version 0" }).waitFor();
    const editor = ui.getByLabel("Policy text");
    const example = await editor.inputValue();
    check(example.startsWith("// Your policies") && example.includes('// ) when { resource.sender.address == "22000" };'), "the editor starts with the commented example");
    check(example.split("\n").every((l) => l === "" || l.startsWith("//")), "the example is all comments");
    await shot(ui, "13-policies");
    await ui.getByRole("button", { name: "Save policies" }).click();
    await status.filter({ hasText: "Saved. Version 1" }).waitFor();
  });

  await step("a policy error is shown at its line, in words", async () => {
    const editor = ui.getByLabel("Policy text");
    await editor.fill("permit (\n  principal,\n  action\n  resource\n);\n");
    await ui.getByRole("button", { name: "Save policies" }).click();
    const problem = ui.locator("[data-policy-errors] li").first();
    await problem.waitFor();
    const text = (await problem.textContent()) ?? "";
    check(text.startsWith('Line 4, column 3: Unexpected "resource" here'), `the error names its line and column (got: ${text})`);
    check(!/`|policy\d|user\.\d/.test(text), `no backticks or internal ids (got: ${text})`);
    await shot(ui, "14-policy-errors");
  });

  await step("the tester says what the saved policies decide", async () => {
    const editor = ui.getByLabel("Policy text");
    await editor.fill(SHORT_CODE_FORBID);
    await ui.getByRole("button", { name: "Save policies" }).click();
    await ui.locator("[data-policy-status]").filter({ hasText: "Saved. Version 2" }).waitFor();
    const tester = ui.locator('form[data-form="policy-check"]');
    check((await tester.getByLabel("Agent (handle)").inputValue()) === "assistant", "the tester offers the agent");
    check((await tester.getByLabel("Channel (handle)").inputValue()) === "sms", "the tester offers the channel");
    const result = tester.locator("[data-check-result]");
    await tester.getByLabel("Sender").fill(PHONE);
    await tester.getByRole("button", { name: "Check" }).click();
    await result.filter({ hasText: "Allowed" }).filter({ hasText: "Allowed by the built-in policy base.paired_senders." }).waitFor();
    await tester.getByLabel("Sender").fill("22000");
    await tester.getByRole("button", { name: "Check" }).click();
    await result.filter({ hasText: "Denied" }).filter({ hasText: "Denied by your policy number 1." }).waitFor();
    await shot(ui, "15-policy-check");
  });

  await step("an unknown settings page is the HTML not-found page", async () => {
    const res = await ui.goto(`${base}/settings/nope`);
    check(res?.status() === 404 && res.headers()["content-type"]?.includes("text/html"), "404 in HTML");
    await ui.getByRole("heading", { name: "Not found" }).waitFor();
    await ui.getByRole("link", { name: "Back to channels" }).waitFor();
  });

  await step("a failed channel says why and how to fix it", async () => {
    const agents = await stack.api("GET", "/api/agents");
    const failed = await stack.api("POST", "/api/channels", { provider: "twilio_sms", space_id: agents.body[0].space_id, agent_id: agents.body[0].id, config: { from_number: "+15005550009" } });
    check(failed.body.status === "failed" && failed.body.error.code === "number_not_found", "the channel failed with number_not_found");
    failedId = failed.body.id;
    await ui.goto(`${base}/settings/channels/${failedId}`);
    await ui.getByTestId("failure").getByText("The From number is not in this Twilio account").waitFor();
    await ui.getByRole("button", { name: "Retry" }).waitFor();
    await shot(ui, "16-failed-channel");
    await ui.goto(`${base}/settings/channels`);
    check((await ui.getByTestId("channel-status").allTextContents()).join(",") === "Connected,Failed", "the list shows both channels' badges");
    await shot(ui, "17-channels");
  });

  await step("delete a channel whose number now points elsewhere: its SmsUrl is left alone, and the page says so", async () => {
    // Someone pointed the number at another app meanwhile (as in the Twilio console).
    const elsewhere = "https://elsewhere.example/sms";
    const moved = await fetch(`${stack.emulator.url}/__fake/accounts/${EMULATOR_ACCOUNT_SID}/numbers/${encodeURIComponent(EMULATOR_NUMBER)}`, { method: "POST", body: JSON.stringify({ sms_url: elsewhere }) });
    check(moved.ok, "the emulator changed the number's SmsUrl");
    await ui.goto(`${base}/settings/channels/${f.channelId}`);
    const asked = await confirmDialog(ui, true, () => ui.getByRole("button", { name: "Delete channel" }).click());
    check(asked.includes("the number's SmsUrl is cleared if it still points at this channel; if it points somewhere else now, it is left as it is"), `the confirmation says what happens to the SmsUrl (got: ${asked})`);
    const done = ui.getByTestId("deleted");
    await done.filter({ hasText: `The number's SmsUrl is ${elsewhere}, not this channel's webhook, so it was left as it is.` }).waitFor();
    await shot(ui, "18-channel-deleted");
    check((await stack.api("GET", `/api/channels/${f.channelId}`)).status === 404, "the channel is gone");
    await done.getByRole("link", { name: "Back to channels" }).click();
    await ui.waitForURL(`${base}/settings/channels`);
    check((await ui.getByTestId("channel-status").allTextContents()).join(",") === "Failed", "only the failed channel is left");
  });
}
