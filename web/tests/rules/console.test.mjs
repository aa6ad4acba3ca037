// Rules in the console, in Debian's Chromium: the release build (dist/) served on loopback
// with /api proxied to the real Prefect server the harness started with its triggers service
// on (FLOWGATE_RULES_HARNESS). A person creates a rule on the Rules page (with a new webhook
// block posting to a sink), a run pauses, the message arrives at the sink, and its link opens
// that run's page ready to decide, with the rules for the run; then the rule is edited and
// deleted. Screenshots go to target/test-output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { apiPost, apiRequest, pausedRunOf, readHarness } from "../support/prefect.mjs";
import { startSink } from "../support/sink.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const dist = join(repo, "dist");
const shots = join(repo, "target/test-output");
const harness = readHarness(process.env.FLOWGATE_RULES_HARNESS ?? assert.fail("FLOWGATE_RULES_HARNESS is not set"));
const apiUrl = harness.api_url;
const stamp = Date.now().toString(36);

let server;
let browser;
let sink;
before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "dist/ is missing: scripts/build-console.sh");
  server = await serveConsole(dist, apiUrl);
  browser = await launchChromium();
  sink = await startSink();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await sink?.close();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
  return context.newPage();
}

async function rulesNamed(name) {
  const all = await apiPost(apiUrl, "/automations/filter", { limit: 200 });
  return all.filter((a) => a.name === name);
}

test("a rule made on the Rules page reaches the sink when a run pauses; the message's link opens the run ready to decide; the rule is edited, then deleted", async () => {
  const tag = `console-rule-${stamp}`;
  const name = `Tell the sink ${stamp}`;
  const foreign = await apiPost(apiUrl, "/automations/", {
    name: `ops-owned ${stamp}`, trigger: { type: "event", posture: "Reactive", expect: ["prefect.flow-run.Failed"], threshold: 1, within: 0 },
    actions: [{ type: "do-nothing" }],
  });
  const page = await newPage();
  const settingsRead = page.waitForResponse((r) => r.url().endsWith("/admin/settings"));
  await page.goto(`${server.base}/rules`);
  assert.equal((await settingsRead).status(), 200);
  await page.getByTestId("new-rule").click();
  const form = page.getByTestId("rule-form");
  // Nothing typed yet: no error shows.
  assert.equal(await form.getByRole("alert").count(), 0);
  await page.getByTestId("save-rule").click();
  assert.equal(await page.getByTestId("error-name").textContent(), "A rule needs a name.");
  // This server runs Prefect's triggers service: its settings were read (above) long before
  // this, and the page does not warn that rules will not fire.
  assert.equal(await page.getByTestId("engine-warning").count(), 0);
  await page.getByTestId("rule-name").fill(name);
  await page.getByTestId("rule-tags").fill(tag);
  await page.getByTestId("save-rule").click();
  assert.equal(await page.getByTestId("error-action.block").textContent(), "Pick the notification block to send through, or create one below.");
  await page.getByTestId("add-block").click();
  await page.getByTestId("block-name").fill(`sink-${stamp}`);
  await page.getByTestId("block-url").fill(sink.url("/console"));
  await page.getByTestId("create-block").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="rule-block"]')?.value !== "", null, { timeout: 15000 });
  assert.equal(await page.getByTestId("console-url").inputValue(), server.base);
  const body = await page.getByTestId("rule-body").inputValue();
  assert.ok(body.includes(`${server.base}/runs/{{ flow_run.id }}`), body);
  await page.screenshot({ path: join(shots, "rules-new.png"), fullPage: true });
  await page.getByTestId("save-rule").click();
  const row = page.getByTestId("rule-row").filter({ hasText: name });
  await row.waitFor({ timeout: 15000 });
  assert.match(await row.textContent(), new RegExp(`When a run pausesNotify through “sink-${stamp}” \\(Custom Webhook\\)tags ${tag}on`));
  assert.equal(await page.getByTestId("rule-row").filter({ hasText: `ops-owned ${stamp}` }).count(), 0, "a foreign automation is not listed");
  assert.equal((await rulesNamed(name)).length, 1);
  await page.screenshot({ path: join(shots, "rules.png"), fullPage: true });

  // A run pauses: the message comes, and its link opens the run's page ready to decide.
  const id = await pausedRunOf(apiUrl, `console-rule-run-${stamp}`, { flow: "rules-console", tags: [tag] });
  const message = await sink.waitFor((m) => m.path === "/console" && m.json?.body?.includes(id), 30_000);
  const link = message.json.body.match(/^(http\S+\/runs\/[0-9a-f-]{36})$/m)?.[1] ?? assert.fail(message.json.body);
  assert.equal(link, `${server.base}/runs/${id}`);
  const reader = await newPage();
  await reader.goto(link);
  // Ready to decide: the button turns on once the page knows no gate decides here (it asks
  // the console's origin, which may answer after the run is drawn).
  await reader.locator('[data-testid="resume"]:not([disabled])').waitFor({ timeout: 30000 });
  const steps = reader.getByTestId("rule-steps");
  await steps.waitFor({ timeout: 30000 });
  assert.match(await steps.textContent(), new RegExp(`message through “sink-${stamp}” \\(rule “${name}”\\): due when it paused`));
  // What the engine did, once Prefect has stored its event (a reload reads it again).
  for (let i = 0; i < 20 && (await reader.getByTestId("rule-activity").count()) === 0; i++) {
    await reader.waitForTimeout(1000);
    await reader.reload();
    await reader.getByTestId("run-rules").getByRole("heading", { name: "Rules", exact: true }).waitFor({ timeout: 30000 });
    await reader.waitForFunction(() => !document.querySelector('[data-testid="run-rules"] .loading'), null, { timeout: 30000 });
  }
  assert.match(await reader.getByTestId("rule-activity").textContent(), new RegExp(`Automation “${name}” sent a notification through “sink-${stamp}”`));
  await reader.screenshot({ path: join(shots, "rules-run-page.png"), fullPage: true });

  // The inbox says what each rule will do for the waiting runs.
  await reader.goto(`${server.base}/`);
  const line = reader.getByTestId("inbox-rules");
  await line.waitFor({ timeout: 30000 });
  assert.match(await line.textContent(), new RegExp(`“${name}” sends a message when a run pauses: 1 waiting run\\.`));
  await reader.screenshot({ path: join(shots, "rules-inbox.png") });

  // Edited: a reminder after 45 minutes. The run's row in the inbox says when it comes (the
  // pause times out in an hour, so it is due).
  await row.getByTestId("edit-rule").click();
  await page.getByTestId("when-after").check();
  await page.getByTestId("rule-wait").fill("45");
  await page.getByTestId("save-rule").click();
  await page.getByTestId("rule-row").filter({ hasText: "Still paused after 45 min" }).waitFor({ timeout: 15000 });
  await reader.goto(`${server.base}/`);
  const note = reader.locator(`[data-testid="inbox-row"][data-run-id="${id}"] [data-testid="row-rules"]`);
  await note.waitFor({ timeout: 30000 });
  assert.match(await note.textContent(), new RegExp(`^reminder through “sink-${stamp}” at \\d\\d:\\d\\d, unless decided first$`));
  assert.match(await line.textContent(), new RegExp(`“${name}” reminds about 1 waiting run unless decided, the next at \\d\\d:\\d\\d \\(console-rule-run-${stamp}\\)\\.`));
  await reader.screenshot({ path: join(shots, "rules-inbox-rows.png") });

  // Turned off: the row says nothing more, and Prefect holds the automation disabled.
  await row.getByTestId("edit-rule").click();
  await page.getByTestId("rule-enabled").uncheck();
  await page.getByTestId("save-rule").click();
  await page.getByTestId("rule-row").filter({ hasText: name }).filter({ hasText: "off" }).waitFor({ timeout: 15000 });
  const [stored] = await rulesNamed(name);
  assert.deepEqual([stored.enabled, stored.trigger.posture, stored.trigger.within], [false, "Proactive", 2700]);

  // Deleted: gone from the page and from Prefect; the foreign automation stays.
  await page.getByTestId("rule-row").filter({ hasText: name }).getByTestId("delete-rule").click();
  await page.getByTestId("confirm-delete").click();
  await page.getByTestId("rule-row").filter({ hasText: name }).waitFor({ state: "detached", timeout: 15000 });
  assert.equal((await rulesNamed(name)).length, 0);
  assert.equal((await apiRequest(apiUrl, "GET", `/automations/${foreign.id}`)).status, 200);
  await apiRequest(apiUrl, "DELETE", `/automations/${foreign.id}`);
  await page.context().close();
  await reader.context().close();
});

test("the server's refusal shows in its own words, and nothing is created", async () => {
  const page = await newPage();
  const name = `Broken ${stamp}`;
  const block = await apiPost(apiUrl, "/block_documents/filter", { limit: 1, block_schemas: { block_capabilities: { all_: ["notify"] } } });
  assert.ok(block.length > 0, "the first test made a block");
  await page.goto(`${server.base}/rules`);
  await page.getByTestId("new-rule").click();
  await page.getByTestId("rule-name").fill(name);
  await page.getByTestId("rule-block").selectOption(block[0].id);
  await page.getByTestId("rule-body").fill("{{ flow_run.name ");
  await page.getByTestId("save-rule").click();
  const refused = page.getByTestId("rule-refused");
  await refused.waitFor({ timeout: 15000 });
  assert.match(await refused.textContent(), /^Prefect did not take the rule: The server rejected the request: .*'body' is not a valid template/);
  assert.equal(await page.getByTestId("rule-body").inputValue(), "{{ flow_run.name ", "what was typed stays");
  assert.equal((await rulesNamed(name)).length, 0);
  await page.context().close();
});
