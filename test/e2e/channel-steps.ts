// Browser steps 1-6: sign in, add a channel (a refused form first), pair the emulator phone, get a reply, and text a
// picture (an MMS) that the agent sees and the message list shows as a thumbnail.
import { check, confirmDialog, PHONE, shot, step, textFromPhone, type Flow } from "./harness.ts";
import { ADMIN_TOKEN, EMULATOR_ACCOUNT_SID, EMULATOR_NUMBER } from "./stack.ts";

export async function channelSteps(f: Flow) {
  const { ui, base, stack, ctx } = f;
  let code = "";

  await step("sign in with the admin token", async () => {
    await ui.goto(`${base}/settings/channels`);
    check(new URL(ui.url()).pathname === "/sign-in", "an anonymous visit lands on /sign-in");
    await shot(ui, "01-sign-in");
    await ui.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await ui.getByRole("button", { name: "Sign in" }).click();
    await ui.waitForURL(`${base}/settings/channels`);
    await ui.getByText("No channels yet").waitFor();
    const cookie = (await ctx.cookies(base)).find((c) => c.name === "textgate_session");
    check(cookie?.httpOnly && cookie.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict");
    await shot(ui, "02-channels-empty");
  });

  await step("add a channel: every bad field flagged at once, nothing created until it is right", async () => {
    await ui.getByRole("link", { name: "Add channel" }).click();
    await ui.waitForURL(`${base}/settings/channels/new`);
    check((await ui.getByLabel("Account SID").inputValue()) === EMULATOR_ACCOUNT_SID, "Account SID is prefilled");
    check((await ui.getByLabel("From number").inputValue()) === EMULATOR_NUMBER, "From number is prefilled");
    check((await ui.getByLabel("Auth token").inputValue()) === "", "the auth token is never shown");
    check((await ui.getByLabel("Auth token").getAttribute("placeholder")) === "using the configured default", "the token placeholder says the default is used");
    await ui.getByText("You have no spaces or agents yet").waitFor();
    await shot(ui, "03-add-channel");
    // Two mistakes in one submit: both are flagged, in words, and neither the space nor the agent is created.
    await ui.getByLabel("New agent name").fill("");
    await ui.getByLabel("From number").fill("555-0100");
    await ui.getByRole("button", { name: "Add channel" }).click();
    const numberError = ui.locator('[data-error-for="config.from_number"]');
    await numberError.waitFor({ state: "visible" });
    check((await numberError.textContent())?.includes("E.164"), "the from-number error names E.164");
    check((await ui.locator('[data-error-for="agent.name"]').textContent()) === "Enter the agent's name", "the agent-name error is in plain words");
    check((await ui.getByLabel("From number").getAttribute("aria-invalid")) === "true", "the number field is marked invalid");
    check((await ui.getByLabel("New agent name").getAttribute("aria-invalid")) === "true", "the agent-name field is marked invalid");
    check((await stack.api("GET", "/api/spaces")).body.length === 0, "the refused form created no space");
    check((await stack.api("GET", "/api/agents")).body.length === 0, "the refused form created no agent");
    await shot(ui, "04-field-errors");
    await ui.getByLabel("New agent name").fill("Assistant");
    await ui.getByLabel("From number").fill(EMULATOR_NUMBER);
    await ui.getByRole("button", { name: "Add channel" }).click();
    await ui.waitForURL(/\/settings\/channels\/ch_[0-9a-z]+$/);
    f.channelId = ui.url().split("/").pop()!;
    check((await stack.api("GET", "/api/spaces")).body.length === 1, "one space, made with the channel");
  });

  await step("see the pairing code", async () => {
    code = (await ui.getByTestId("pairing-code").textContent())!.trim();
    check(/^[A-Z2-9]{6}$/.test(code), `a six-character pairing code (got ${code})`);
    await ui.getByText(`Text ${code} to ${EMULATOR_NUMBER}`).waitFor();
    await ui.locator('[data-live-state="open"]').waitFor();
    await ui.evaluate(() => document.body.setAttribute("data-e2e-no-reload", "1"));
    await shot(ui, "05-pairing");
  });

  await step("text the code from the emulator phone; the channel turns Connected live", async () => {
    await f.phone.goto(`${stack.emulator.url}/phone`);
    await f.phone.locator(`#to option[value="${EMULATOR_NUMBER}"]`).waitFor({ state: "attached" });
    check((await f.phone.locator("#from").inputValue()) === PHONE, "the phone starts as +15551230000");
    await textFromPhone(f, code);
    await shot(f.phone, "06-phone-pairing");
    await ui.getByTestId("channel-status").filter({ hasText: "Connected" }).waitFor();
    check((await ui.evaluate(() => document.body.getAttribute("data-e2e-no-reload"))) === "1", "the page updated without reloading");
    await ui.getByTestId("paired").getByText(PHONE).waitFor();
    await shot(ui, "07-connected");
  });

  await step('send "hello"; the reply reaches the phone and shows delivered', async () => {
    await f.phone.locator("#body").fill("hello");
    await f.phone.getByRole("button", { name: "Send" }).click();
    await f.phone.locator("#thread li").filter({ hasText: "Echo: hello" }).and(f.phone.locator('[data-status="delivered"]')).waitFor();
    await shot(f.phone, "08-phone-reply");
    await ui.locator('li.message.outbound[data-status="delivered"]', { hasText: "Echo: hello" }).waitFor();
    const first = ui.locator("ol.messages > li").first();
    check((await first.getAttribute("data-status")) === "delivered" && (await first.textContent())?.includes("Echo: hello"), "the newest message (first) is the delivered reply");
    await shot(ui, "09-messages");
  });

  await step("text a picture from the phone; the agent sees it and the message list shows its thumbnail", async () => {
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
    await f.phone.locator("#attach").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
    await f.phone.getByRole("button", { name: "Send" }).click();
    await f.phone.locator("#thread li.inbound img").waitFor();
    await f.phone.locator("#thread li").filter({ hasText: "I see 1 picture." }).and(f.phone.locator('[data-status="delivered"]')).waitFor();
    const thumb = ui.locator("li.message.inbound img.thumb").first();
    await thumb.waitFor();
    check(((await thumb.getAttribute("src")) ?? "").startsWith("/api/media/med_"), "the thumbnail loads through the media route");
    check(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1), "the thumbnail loaded with the page's session");
  });

  await step("switching to signal mode asks first; the banner then describes signal mode", async () => {
    const signal = ui.getByLabel("Signal", { exact: true });
    const asked = await confirmDialog(ui, false, () => signal.click());
    check(asked.startsWith(`Switch ${EMULATOR_NUMBER} to signal mode? The agent stops replying`), `the confirmation says what changes (got: ${asked})`);
    check(await ui.getByLabel("Message", { exact: true }).isChecked(), "declining leaves message mode checked");
    check((await stack.api("GET", `/api/channels/${f.channelId}`)).body.dispatch_mode === "message", "declining changes nothing");
    await confirmDialog(ui, true, () => signal.click());
    await ui.getByTestId("connected").filter({ hasText: `Connected, in signal mode. Texts to ${EMULATOR_NUMBER} are matched against signal watches` }).waitFor();
    check(!(await ui.getByTestId("connected").textContent())?.includes("go to"), "the banner no longer says texts go to the agent");
    await ui.locator("[data-watches]").waitFor({ state: "visible" });
    check((await stack.api("GET", `/api/channels/${f.channelId}`)).body.dispatch_mode === "signal", "the channel is in signal mode");
    await shot(ui, "10-signal-mode");
  });
}
