// Deciding, not only resuming: reject from the run page and from the inbox, the decision
// recorded as a Prefect event, the run's history, and deep links that prefill the form.
// The console's release build in Debian's Chromium against the real Prefect server the
// harness started (FLOWGATE_CONSOLE_HARNESS). Runs are paused through the API, each test its
// own. Screenshots go to target/test-output/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api as apiOf, consoleSuite, pausedRun as pausedRunOf, shots } from "../support/e2e.mjs";
import { saveSettings, watchStateChanges } from "../support/pages.mjs";

const suite = consoleSuite();
const api = (path, body) => apiOf(suite, path, body);
const pausedRun = (name, options) => pausedRunOf(suite, name, { flow: "decisions-gate", ...options });

/** The decision events Prefect stored for a run (it stores them a moment after they are sent). */
async function decisionEvents(id, count) {
  for (let i = 0; i < 60; i++) {
    const page = await api("/events/filter", { filter: {
      occurred: { since: new Date(Date.now() - 3600_000).toISOString(), until: new Date(Date.now() + 3600_000).toISOString() },
      event: { prefix: ["flowgate.decision."] }, resource: { id: [`prefect.flow-run.${id}`] },
    } });
    if (page.events.length >= count) return page.events;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`Prefect stored no ${count} decision event(s) for ${id}`);
}

const nameMyself = (page, name) => saveSettings(page, suite.server.base, { decider: name });

test("reject from the run page: a reason required, said before sending, one request, recorded, in the history", async () => {
  const id = await pausedRun("reject-from-page");
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 1400 } });
  await nameMyself(page, "ana");
  const sent = watchStateChanges(page);
  await page.goto(`${suite.server.base}/runs/${id}`);
  const reject = page.getByTestId("reject");
  await reject.waitFor({ timeout: 30000 });
  assert.equal(await reject.isDisabled(), true, "no reason, no reject");
  assert.match(await page.getByTestId("reject-message").textContent(), /A reason is required/);
  assert.equal(await page.getByTestId("reject-verdict").textContent(), "The reject will be accepted: the run goes to Cancelled.");
  assert.match(await page.getByTestId("reject-plan").textContent(),
    /^The run becomes Cancelled now and the code after the pause never runs\. Its flow process has no runner to stop it: it keeps waiting until the pause times out at \d\d:\d\d, then marks the run Failed\.$/);
  // The tab's title counts what waits, and follows the decision.
  const waiting = await api("/flow_runs/count", { flow_runs: { state: { type: { any_: ["PAUSED"] } } } });
  const title = (n) => (n > 0 ? `(${n.toLocaleString("en-US")}) Flowgate` : "Flowgate");
  await page.waitForFunction((t) => document.title === t, title(waiting), { timeout: 30000 });
  await page.getByTestId("reject-reason").fill("image tag not signed");
  assert.equal(await page.getByTestId("reject-message").textContent(), "The run's state message will read: Rejected by ana: image tag not signed");
  await page.screenshot({ path: join(shots, "console-run-reject.png"), fullPage: true });
  await reject.click();
  await reject.click({ timeout: 1000 }).catch(() => {}); // a second press while sending sends nothing
  await page.locator('[data-testid="outcome"] [data-decision="reject"]').waitFor({ timeout: 45000 });
  assert.match(await page.getByTestId("outcome").textContent(),
    /^Rejected: the server set the run to Cancelled\. The run becomes Cancelled now .* Recorded as a Prefect event\.$/);
  assert.equal(sent.length, 1, "exactly one request changed the run");
  const run = await api(`/flow_runs/${id}`);
  assert.equal(run.state.type, "CANCELLED");
  assert.equal(run.state.message, "Rejected by ana: image tag not signed");
  assert.equal(await page.getByTestId("reject-panel").count(), 0, "a cancelled run cannot be rejected again");
  await page.waitForFunction((t) => document.title === t, title(waiting - 1), { timeout: 30000 });

  // The record, through Prefect's own events API, and on the page's history.
  const [event] = await decisionEvents(id, 1);
  assert.equal(event.event, "flowgate.decision.rejected");
  assert.equal(event.payload.decider, "ana");
  assert.equal(event.payload.reason, "image tag not signed");
  assert.equal(event.payload.decider_checked, false);
  assert.deepEqual(event.related.map((r) => r["prefect.resource.role"]), ["flow"]);
  const decision = page.locator('[data-testid="history-decision"]');
  await decision.waitFor({ timeout: 20000 });
  assert.match(await decision.textContent(), /Rejected by ana in Flowgate: image tag not signed$/);
  const states = await page.locator('[data-testid="history-state"]').evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(states.slice(0, 2), ["CANCELLED", "PAUSED"], "newest first");
  await page.screenshot({ path: join(shots, "console-run-history.png"), fullPage: true });
  await page.close();
});

test("bulk reject from the inbox: one reason for the ticked runs, each outcome listed, each recorded", async () => {
  const ids = [await pausedRun("bulk-reject-1"), await pausedRun("bulk-reject-2")];
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await nameMyself(page, "bo");
  const sent = watchStateChanges(page);
  await page.goto(`${suite.server.base}/?sort=START_TIME_DESC`);
  const row = (id) => page.locator(`[data-run-id="${id}"]`);
  for (const id of ids) await row(id).locator("input.select").check({ timeout: 30000 });
  const button = page.getByTestId("reject-selected");
  assert.equal(await button.isDisabled(), true, "no reason, no reject");
  await page.getByTestId("bulk-reason").fill("release withdrawn");
  assert.equal(await button.textContent(), "Reject selected (2)");
  await button.click();
  const results = page.locator('[data-testid="bulk-results"] li');
  await results.nth(1).waitFor({ timeout: 45000 });
  for (const text of await results.allTextContents()) {
    assert.match(text, /^bulk-reject-\d: Rejected: the server set the run to Cancelled\. .* Recorded as a Prefect event\.$/);
  }
  for (const id of ids) await row(id).waitFor({ state: "detached", timeout: 30000 });
  assert.equal(sent.length, 2, "one request per run");
  for (const id of ids) {
    const run = await api(`/flow_runs/${id}`);
    assert.equal(run.state.message, "Rejected by bo: release withdrawn");
    const [event] = await decisionEvents(id, 1);
    assert.equal(event.payload.bulk, true);
  }
  await page.screenshot({ path: join(shots, "console-inbox-bulk-reject.png"), fullPage: true });
  await page.close();
});

test("while the console asks whether a gate decides, nothing can be decided and the page says why", async () => {
  const id = await pausedRun("gate-asking");
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1300 } });
  const sent = watchStateChanges(page);
  // The question stays open until the test lets it through (no gate answers on this server).
  const held = [];
  await page.route((url) => url.pathname === "/gate/capabilities", (route) => { held.push(route); });
  const release = async () => { for (const route of held.splice(0)) await route.continue(); };
  const asking = page.getByTestId("gate-asking");
  const on = (testId) => page.locator(`[data-testid="${testId}"]:not([disabled])`);

  await page.goto(`${suite.server.base}/runs/${id}`);
  await page.getByTestId("reject-reason").fill("not yet", { timeout: 30000 });
  await asking.nth(1).waitFor({ timeout: 30000 });
  assert.deepEqual(await asking.allTextContents(), [
    "Asking whether a gate decides here; you can resume once it answers.",
    "Asking whether a gate decides here; you can reject once it answers.",
  ]);
  assert.equal(await page.getByTestId("resume").isDisabled(), true);
  assert.equal(await page.getByTestId("reject").isDisabled(), true, "a reason is typed, the gate is not known");
  await release();
  await on("resume").waitFor({ timeout: 30000 });
  await on("reject").waitFor({ timeout: 30000 });
  assert.equal(await asking.count(), 0);
  assert.equal(await page.getByTestId("reject-reason").inputValue(), "not yet", "the reason typed is kept");

  // The inbox's bulk bar waits the same way, once something is ticked.
  await page.goto(`${suite.server.base}/?sort=START_TIME_DESC`);
  await page.locator(`[data-run-id="${id}"] input.select`).check({ timeout: 30000 });
  await page.getByTestId("bulk-reason").fill("not yet");
  await asking.waitFor({ timeout: 30000 });
  assert.equal(await asking.textContent(), "Asking whether a gate decides here; you can decide the ticked runs once it answers.");
  assert.equal(await page.getByTestId("resume-selected").isDisabled(), true);
  assert.equal(await page.getByTestId("reject-selected").isDisabled(), true);
  await release();
  await on("reject-selected").waitFor({ timeout: 30000 });
  assert.equal(await asking.count(), 0);
  assert.equal(sent.length, 0, "nothing was decided");
  await page.close();
});

test("when the record cannot be written, the reject still stands and the page says the record is missing", async () => {
  const id = await pausedRun("record-refused");
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 1200 } });
  // The events endpoint fails (as behind a proxy that blocks it); set_state goes through.
  await page.route("**/api/events", (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"detail":"events are down"}' }));
  await page.goto(`${suite.server.base}/runs/${id}`);
  await page.getByTestId("reject-reason").fill("no record today", { timeout: 30000 });
  await page.getByTestId("reject").click();
  const missing = page.getByTestId("record-missing");
  await missing.waitFor({ timeout: 45000 });
  assert.match(await missing.textContent(), /The decision stands, but its record is missing: .*HTTP 503/);
  assert.match(await page.getByTestId("outcome").textContent(), /^Rejected: the server set the run to Cancelled\./);
  const run = await api(`/flow_runs/${id}`);
  assert.deepEqual([run.state.type, run.state.message], ["CANCELLED", "Rejected: no record today"]);
  await page.close();
});

const SCHEMA = {
  title: "Approval", type: "object", required: ["approver"],
  properties: { approver: { title: "Approver", type: "string" }, count: { title: "Count", type: "integer", default: 1 } },
};

test("a deep link prefills the form without sending; Copy link makes one; a bad link says so", async () => {
  const id = await pausedRun("deep-link", { schema: SCHEMA });
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 1300 } });
  const sent = watchStateChanges(page);
  const input = { approver: "cy", count: 4 };
  await page.goto(`${suite.server.base}/runs/${id}?input=${encodeURIComponent(JSON.stringify(input))}`);
  await page.getByTestId("link-prefilled").waitFor({ timeout: 30000 });
  await page.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor();
  await page.getByTestId("mode-json").click();
  assert.deepEqual(JSON.parse(await page.getByTestId("run-input").inputValue()), input);
  await page.waitForTimeout(500);
  assert.deepEqual(sent, [], "opening a link sends nothing");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByTestId("run-input").fill(JSON.stringify({ approver: "di & <b>" }));
  await page.getByTestId("copy-link").click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${suite.server.base}/runs/${id}?input=${encodeURIComponent('{"approver":"di & <b>"}')}`);

  // A link whose input is not JSON says so and keeps the draft typed on this page.
  await page.goto(`${suite.server.base}/runs/${id}?input=%7Bnot-json`);
  const note = page.getByTestId("link-prefilled");
  await note.waitFor({ timeout: 30000 });
  assert.match(await note.textContent(), /^The link's input is not JSON \(.*\), so it was not put in the form\.$/);
  await page.getByTestId("mode-json").click();
  assert.deepEqual(JSON.parse(await page.getByTestId("run-input").inputValue()), { approver: "di & <b>" });

  // A link over an existing draft: the draft can be put back.
  await page.goto(`${suite.server.base}/runs/${id}?input=${encodeURIComponent(JSON.stringify(input))}`);
  await page.getByTestId("restore-draft").click({ timeout: 30000 });
  await page.getByTestId("mode-json").click();
  assert.deepEqual(JSON.parse(await page.getByTestId("run-input").inputValue()), { approver: "di & <b>" });
  assert.deepEqual(sent, []);
  await page.close();
  // Leave nothing paused behind for other suites.
  await api(`/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
});

test("the history shows the input a run received, read-only in its form, and who resumed it", async () => {
  const id = await pausedRun("received-input", { schema: SCHEMA });
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 1400 } });
  await nameMyself(page, "di");
  await page.goto(`${suite.server.base}/runs/${id}`);
  await page.getByTestId("mode-json").click({ timeout: 30000 });
  await page.getByTestId("run-input").fill(JSON.stringify({ approver: "di", count: 2 }));
  await page.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor();
  await page.getByTestId("resume").click();
  await page.locator('[data-testid="outcome"] [data-decision="resume"]').waitFor({ timeout: 45000 });
  const received = page.getByTestId("received-input");
  await received.waitFor({ timeout: 20000 });
  assert.equal(await received.locator('input[type="text"]').first().inputValue(), "di");
  assert.equal(await received.locator("input").first().isDisabled(), true, "read-only");
  const decision = page.locator('[data-testid="history-decision"]');
  await decision.waitFor({ timeout: 20000 });
  assert.match(await decision.textContent(), /Resumed by di in Flowgate — with input$/);
  const [event] = await decisionEvents(id, 1);
  assert.deepEqual(event.payload.input, { approver: "di", count: 2 });
  await page.screenshot({ path: join(shots, "console-run-received.png"), fullPage: true });
  await page.close();
});

test("a server outside the measured releases: the header names the exact range, verdicts leave the answer to the server", async () => {
  // No Prefect newer than 3.9 exists to run, so the real server's answer to /admin/version
  // alone is replaced; every other request goes to it unchanged.
  const schema = { title: "Approval", type: "object", properties: { approver: { type: "string" } }, required: ["approver"] };
  const id = await pausedRun("unmeasured-release", { schema });
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 1400 } });
  await page.route("**/api/admin/version", (route) => route.fulfill({ status: 200, contentType: "application/json", body: '"3.10.0"' }));
  const sent = watchStateChanges(page);
  await page.goto(`${suite.server.base}/runs/${id}`);
  await page.getByTestId("mode-json").click({ timeout: 30000 });
  assert.equal(await page.getByTestId("server-version").textContent(), "Prefect 3.10.0");
  const range = page.getByTestId("server-range");
  assert.equal(await range.textContent(), "verdicts exact for Prefect 3.4 to 3.9");
  assert.match(await range.getAttribute("title"), /measured on Prefect 3\.4 to 3\.9, not on this release/);
  await page.getByTestId("run-input").fill("{}");
  const verdict = page.getByTestId("verdict");
  await verdict.filter({ hasText: "only the server can tell" }).waitFor();
  assert.equal(await verdict.textContent(),
    "only the server can tell: This server runs Prefect 3.10.0, newer than the releases Flowgate's verdicts are exact for (3.4 to 3.9). " +
    "On Prefect 3.9.1, it will be rejected: Reason: Validation failed. Failure reason: 'approver' is a required property");
  assert.equal(await page.getByTestId("resume").isDisabled(), false, "the server decides, so the person may send");
  assert.equal(await page.getByTestId("reject-verdict").textContent(),
    "The reject: only the server can tell: This server runs Prefect 3.10.0, newer than the releases Flowgate's verdicts are exact for (3.4 to 3.9). " +
    "On Prefect 3.9.1, it will be accepted: the run goes to Cancelled.");
  // Labels and parameters read as pairs, not as JSON.
  const labels = await page.getByTestId("run-labels").textContent();
  assert.match(labels, /^prefect\.flow\.id: [0-9a-f-]{36}$/m);
  assert.doesNotMatch(labels, /[{}"]/);
  assert.equal(await page.getByTestId("run-parameters").textContent(), "—");
  // The JSON is one click away, the same object.
  await page.locator("details.as-json summary").last().click();
  const json = JSON.parse(await page.getByTestId("run-labels-json").textContent());
  assert.equal(`prefect.flow.id: ${json["prefect.flow.id"]}`, labels.split("\n").find((l) => l.startsWith("prefect.flow.id: ")));
  assert.equal(await page.getByTestId("run-parameters-json").count(), 0, "no JSON for no parameters");
  await page.screenshot({ path: join(shots, "console-run-unmeasured-release.png"), fullPage: true });
  // The same page on the real release: exact, and no range in the header.
  await page.unroute("**/api/admin/version");
  await page.reload();
  await page.getByTestId("mode-json").click({ timeout: 30000 });
  assert.match(await page.getByTestId("server-version").textContent(), /^Prefect 3\.9\.1$/);
  assert.equal(await page.getByTestId("server-range").count(), 0);
  assert.deepEqual(sent, [], "nothing was sent");
  await page.close();
  await api(`/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
});
