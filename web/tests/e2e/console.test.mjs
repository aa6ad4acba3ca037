// The console's release build (dist/, from `trunk build --release`) end to end in Debian's
// Chromium, against a real Prefect server started by the harness (FLOWGATE_CONSOLE_HARNESS).
// The console talks to same-origin /api, proxied here to the server as Trunk does.
// Screenshots go to target/test-output/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api as apiOf, cancelRun, consoleSuite, pausedRun, shots } from "../support/e2e.mjs";
import { outcomeOf } from "../support/pages.mjs";

const suite = consoleSuite();
const api = (path, body) => apiOf(suite, path, body);

// Resume requests a page sends, and those the server answered other than 503: on SQLite a
// 503 ("database is locked") applied nothing, and the client re-sends only after reading
// that the run is still paused.
function watchResumes(page) {
  const resumes = [];
  const answered = [];
  page.on("request", (r) => { if (r.url().endsWith("/resume")) resumes.push(r.url()); });
  page.on("response", (r) => { if (r.url().endsWith("/resume") && r.status() !== 503) answered.push(r.url()); });
  return { resumes, answered };
}

test("the inbox lists exactly the paused runs, markup rendered as text", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 900 } });
  let dialogs = 0;
  page.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
  const paused = await api("/flow_runs/filter", { flow_runs: { state: { type: { any_: ["PAUSED"] } } }, limit: 200 });
  await page.goto(`${suite.server.base}/`);
  await page.waitForSelector('[data-testid="inbox-row"]', { timeout: 30000 });
  const shown = await page.$$eval('[data-testid="inbox-row"]', (rows) => rows.map((r) => r.dataset.runId));
  assert.deepEqual([...shown].sort(), paused.map((r) => r.id).sort());
  const suspended = page.locator(`[data-run-id="${suite.harness.runs.suspended}"] td`);
  assert.equal(await suspended.nth(3).textContent(), "nightly", "the deployment is named");
  assert.equal(await suspended.nth(4).textContent(), "Suspendedresumes by rescheduling", "the badge, then how it resumes beneath");
  const markupRow = page.locator(`[data-run-id="${suite.harness.runs.markup}"]`);
  assert.equal(await markupRow.locator("a").textContent(), "<img src=x onerror=alert(1)>");
  assert.equal(await page.locator('[data-testid="inbox"] img').count(), 0, "no element was made from a name");
  assert.match(await page.getByTestId("server-version").textContent(), /Prefect 3\.9\.1/);
  // How many wait, beside "Waiting" (one name for the link: "Waiting 21") and in the tab's title.
  await page.getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: `Waiting ${paused.length.toLocaleString("en-US")}`, exact: true }).waitFor();
  assert.equal(await page.title(), `(${paused.length.toLocaleString("en-US")}) Flowgate`);
  await page.screenshot({ path: join(shots, "console-inbox.png"), fullPage: true });
  assert.equal(dialogs, 0);
  await page.close();
});

test("bad input shows the server's exact reason without sending; valid input resumes", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1100, height: 1100 } });
  const { resumes, answered } = watchResumes(page);
  const runId = suite.harness.runs.input[2];
  await page.goto(`${suite.server.base}/runs/${runId}`);
  await page.getByTestId("mode-json").click({ timeout: 30000 });
  // The description is Markdown, as in Prefect's UI, and its markup stays text.
  const description = page.getByTestId("description");
  assert.equal(await description.locator("h4").textContent(), "Approve the nightly deploy");
  assert.equal(await description.locator("code").textContent(), "count");
  assert.match(await description.textContent(), /<b>Markup stays text\.<\/b>/);
  assert.equal(await description.locator("b").count(), 0);
  const editor = page.getByTestId("run-input");
  await editor.fill('{"approver": "x", "count": "abc", "address": {"city": "c"}}');
  const verdict = page.getByTestId("verdict");
  await assert.doesNotReject(verdict.filter({ hasText: "will be rejected" }).waitFor());
  assert.equal(await verdict.textContent(),
    "will be rejected: Reason: Validation failed for field 'count'. Failure reason: 'abc' is not of type 'integer'");
  assert.match(await page.getByTestId("field-errors").textContent(), /count: 'abc' is not of type 'integer'/);
  await editor.fill('{"approver": "x", ');
  assert.match(await verdict.textContent(), /not JSON yet/);
  assert.equal(await page.getByTestId("resume").isDisabled(), true);
  await page.screenshot({ path: join(shots, "console-run-rejected.png"), fullPage: true });
  assert.deepEqual(resumes, [], "no resume request was sent for bad input");

  const typed = { approver: "ana", count: 3, address: { city: "Oslo" } };
  await editor.fill(JSON.stringify(typed));
  await verdict.filter({ hasText: "will be accepted" }).waitFor();
  await page.getByTestId("resume").click();
  assert.match(await outcomeOf(page), /^Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
  await page.screenshot({ path: join(shots, "console-run-resumed.png"), fullPage: true });
  assert.equal(answered.length, 1, "exactly one resume was applied");
  const stored = await api(`/flow_runs/${runId}/input/paused-1-response`);
  assert.deepEqual(stored, typed, "the stored response input is what was typed");
  await page.close();
});

test("the form generated from the schema: errors inline as you type, then a real resume", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const { resumes, answered } = watchResumes(page);
  const runId = suite.harness.runs.release;
  await page.goto(`${suite.server.base}/runs/${runId}`);
  await page.getByTestId("schema-form").waitFor({ timeout: 30000 });
  const field = (path) => page.locator(`[data-path="${path}"]`);
  const verdict = page.getByTestId("verdict");
  // Untouched, the form shows no error and the verdict says it is not filled in yet (not red).
  assert.match(await verdict.textContent(), /^not filled in yet; as it is, it will be rejected: Reason: Validation failed/);
  assert.match(await verdict.getAttribute("class"), /\bverdict-pending\b/);
  assert.equal(await page.locator(".field-error li").count(), 0, "no error before the person acts");

  await field("/approver").locator("input").fill("ana");
  await field("/window/start").locator("input").fill("2026-12-01T22:00:00Z");
  assert.equal(await verdict.textContent(), "will be accepted: the run goes to Running");
  await field("/replicas").locator("input").fill("60");
  assert.equal(await verdict.textContent(),
    "will be rejected: Reason: Validation failed for field 'replicas'. Failure reason: 60 is greater than the maximum of 50");
  assert.equal(await field("/replicas").locator(".field-error").textContent(), "60 is greater than the maximum of 50");
  assert.equal(await page.getByTestId("resume").isDisabled(), false, "a rejected input may still be sent on purpose");
  await page.screenshot({ path: join(shots, "console-form-errors.png"), fullPage: true });
  await field("/replicas").locator("input").fill("5");
  await field("/channel").locator("select").selectOption({ label: "beta" });
  await field("/regions").locator("> button.add").click();
  await field("/regions/1").locator("input").fill("us-east");
  await field("/owners").locator("> button.add").click();
  await field("/owners/0/name").locator("input").fill("ops");
  await field("/limits").locator("> button.add").click();
  await field("/limits").locator("input.key").fill("cpu");
  await field("/limits/cpu").locator("input").fill("4");
  await page.locator("fieldset.optional legend input").check();
  await field("/fallback/start").locator("input").fill("2026-12-02T22:00:00Z");
  assert.equal(await verdict.textContent(), "will be accepted: the run goes to Running");
  assert.deepEqual(resumes, [], "nothing was sent while typing");
  await page.screenshot({ path: join(shots, "console-form.png"), fullPage: true });

  await page.getByTestId("resume").click();
  assert.match(await outcomeOf(page), /^Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
  assert.equal(answered.length, 1, "exactly one resume was applied");
  const stored = await api(`/flow_runs/${runId}/input/paused-1-response`);
  assert.deepEqual(stored, {
    approver: "ana", replicas: 5, canary_share: 0.1, notify: true, channel: "beta", ticket: null,
    window: { hours: 2, start: "2026-12-01T22:00:00Z" }, fallback: { hours: 2, start: "2026-12-02T22:00:00Z" },
    regions: ["eu-west", "us-east"], owners: [{ name: "ops", email: null }], version: [1, 0, 0],
    limits: { cpu: 4 },
  }, "the server stored exactly what the form built");
  await page.close();
});

test("a second tab on the same run learns it was resumed elsewhere and cannot resume it again", async () => {
  const runId = suite.harness.runs.plain[1];
  const first = await suite.browser.newPage();
  const second = await suite.browser.newPage();
  const { resumes } = watchResumes(second);
  for (const page of [first, second]) {
    await page.goto(`${suite.server.base}/runs/${runId}`);
    await page.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor({ timeout: 30000 });
  }
  await first.getByTestId("resume").click();
  assert.match(await outcomeOf(first), /^Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
  assert.equal(await first.getByTestId("changed-elsewhere").count(), 0, "its own resume is not 'elsewhere'");
  // The other tab hears of it through the event stream and locks.
  const notice = second.getByTestId("changed-elsewhere");
  await notice.waitFor({ timeout: 15000 });
  assert.match(await notice.textContent(), /^Resumed elsewhere at \d\d:\d\d — it is now Running; your draft is kept\.$/);
  assert.equal(await second.getByTestId("resume").isDisabled(), true);
  // The notice comes as soon as the change is read; the page then reloads the run.
  await second.getByTestId("verdict")
    .filter({ hasText: /^will be aborted: Cannot resume a flow run that is not paused\.$/ }).waitFor({ timeout: 15000 });
  assert.deepEqual(resumes, [], "the second tab sent nothing");
  await second.screenshot({ path: join(shots, "console-run-abort.png"), fullPage: true });
  // The resumed run has left the inbox.
  await first.goto(`${suite.server.base}/`);
  await first.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
  assert.equal(await first.locator(`[data-run-id="${runId}"]`).count(), 0, "the resumed run is no longer waiting");
  assert.equal(await first.locator(`[data-run-id="${suite.harness.runs.plain[0]}"]`).count(), 1, "the others still are");
  await first.close();
  await second.close();
});

test("two tabs typing into one run's draft: neither is overwritten silently; each person chooses", async () => {
  const schema = { type: "object", required: ["approver"], properties: { approver: { title: "Approver", type: "string" } } };
  const runId = await pausedRun(suite, "two-tab-drafts", { schema });
  // One browser profile: the tabs share its storage, as two tabs of one person's browser do.
  const context = await suite.browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  const approver = (page) => page.locator('[data-path="/approver"] input');
  const shows = (page, text) => page.waitForFunction(
    (t) => document.querySelector('[data-path="/approver"] input')?.value === t, text, { timeout: 5000 });
  for (const page of [a, b]) {
    await page.goto(`${suite.server.base}/runs/${runId}`);
    await approver(page).waitFor({ timeout: 30000 });
  }
  await approver(a).fill("ana");
  const noticeB = b.getByTestId("draft-elsewhere");
  await noticeB.waitFor({ timeout: 5000 });
  assert.equal(await noticeB.textContent(),
    "This run's draft was changed in another tab; this tab still shows yours. Use the other tab's draft Keep mine");
  assert.equal(await approver(b).inputValue(), "", "B still shows its own draft");
  await b.getByTestId("use-other-draft").click();
  await shows(b, "ana");
  assert.equal(await noticeB.count(), 0);

  // B types on; A is told, keeps its own, and that becomes the stored draft (B is told in turn).
  await approver(b).fill("bo");
  await a.getByTestId("draft-elsewhere").waitFor({ timeout: 5000 });
  assert.equal(await approver(a).inputValue(), "ana");
  await a.getByTestId("keep-my-draft").click();
  await noticeB.waitFor({ timeout: 5000 });
  assert.equal(await approver(b).inputValue(), "bo", "B's text stays until B chooses");
  await b.reload();
  await approver(b).waitFor({ timeout: 30000 });
  assert.equal(await approver(b).inputValue(), "ana", "the draft kept is the one A chose to keep");
  await context.close();
  await cancelRun(suite, runId);
});

test("Back and Forward between two runs on one page: each shows its own draft", async () => {
  const schema = { type: "object", required: ["approver"], properties: { approver: { title: "Approver", type: "string" } } };
  const [first, second] = [await pausedRun(suite, "drafts-first", { schema }), await pausedRun(suite, "drafts-second", { schema })];
  const page = await suite.browser.newPage();
  const approver = page.locator('[data-path="/approver"] input');
  const shows = (text) => page.waitForFunction(
    (t) => document.querySelector('[data-path="/approver"] input')?.value === t, text, { timeout: 15000 });
  await page.goto(`${suite.server.base}/runs/${first}`);
  await approver.waitFor({ timeout: 30000 });
  await approver.fill("first's approver");
  // The router moves to the other run without leaving the run page, as a link or Back does.
  const go = (id) => page.evaluate((path) => {
    history.pushState(null, "", path);
    dispatchEvent(new PopStateEvent("popstate"));
  }, `/runs/${id}`);
  await go(second);
  await page.getByTestId("run-name").filter({ hasText: "drafts-second" }).waitFor({ timeout: 30000 });
  await shows("");
  await approver.fill("second's approver");
  await page.goBack();
  await page.getByTestId("run-name").filter({ hasText: "drafts-first" }).waitFor({ timeout: 30000 });
  await shows("first's approver");
  await page.goForward();
  await page.getByTestId("run-name").filter({ hasText: "drafts-second" }).waitFor({ timeout: 30000 });
  await shows("second's approver");
  await page.close();
  await cancelRun(suite, first);
  await cancelRun(suite, second);
});

test("runs that ask nothing are resumed together from the inbox, each outcome listed", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 900 } });
  const { answered } = watchResumes(page);
  await page.goto(`${suite.server.base}/`);
  await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
  const row = (id) => page.locator(`[data-run-id="${id}"]`);
  const chosen = [suite.harness.runs.plain[2], suite.harness.runs.keyed];
  for (const id of chosen) await row(id).locator("input.select").check();
  // A run that asks for input may be ticked (to reject), but is resumed only from its page.
  await row(suite.harness.runs.input[1]).locator("input.select").check();
  assert.equal(await page.getByTestId("resume-selected").textContent(), "Resume selected (2)");
  assert.equal(await page.getByTestId("selected-need-input").textContent(), "1 ticked ask for input: resume those from their pages");
  assert.equal(await page.getByTestId("reject-selected").textContent(), "Reject selected (3)");
  await page.getByTestId("resume-selected").click();
  const results = page.locator('[data-testid="bulk-results"] li');
  await results.nth(1).waitFor({ timeout: 45000 });
  for (const text of await results.allTextContents()) {
    assert.match(text, /: Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
  }
  for (const id of chosen) await row(id).waitFor({ state: "detached", timeout: 30000 });
  assert.deepEqual(answered.map((url) => url.split("/").at(-2)).sort(), [...chosen].sort(),
    "each run was resumed once");
  assert.equal(await row(suite.harness.runs.plain[0]).count(), 1, "runs not chosen still wait");
  assert.equal(await row(suite.harness.runs.input[1]).count(), 1, "the run that asks for input was not resumed");
  await page.screenshot({ path: join(shots, "console-inbox-bulk.png"), fullPage: true });
  await page.close();
});

/** "1 run — page…" / "1,234 runs — page…", as the page words a count: a pattern for its start. */
const runsLine = (n) => new RegExp(`^${n === 1 ? "1 run" : `${n.toLocaleString("en-US")} runs`} — page`);

test("on a server whose automation engine is off, the Rules page warns that rules will not fire", async () => {
  // The harness starts this server with Prefect's triggers service off (it runs only where
  // rules are tested); the page reads that from the server's settings, not from us.
  const settings = await (await fetch(`${suite.harness.api_url}/admin/settings`)).json();
  assert.equal(settings.server.services.triggers.enabled, false);
  const page = await suite.browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(`${suite.server.base}/rules`);
  const warning = page.getByTestId("engine-warning");
  await warning.waitFor({ timeout: 30000 });
  assert.equal(await warning.textContent(),
    "The server's triggers service is turned off (PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED=false): rules are stored but will not fire.");
  assert.equal(await warning.getAttribute("class"), "notice warning");
  assert.equal(await warning.getAttribute("role"), "alert");
  await page.locator('[data-testid="no-rules"], [data-testid="rule-row"]').first().waitFor();
  await page.screenshot({ path: join(shots, "console-rules-engine-off.png"), fullPage: true });
  await page.close();
});

test("all runs: state chips with counts, filters and server-side pages", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const total = await api("/flow_runs/count", {});
  const paused = await api("/flow_runs/count", { flow_runs: { state: { type: { any_: ["PAUSED"] } } } });
  await page.goto(`${suite.server.base}/runs`);
  const totalLine = page.getByTestId("runs-total");
  await totalLine.filter({ hasText: runsLine(total) }).waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId("runs-row").count(), Math.min(25, total));
  assert.match(await page.locator('[data-state="PAUSED"]').textContent(), new RegExp(`paused ${paused.toLocaleString("en-US")}$`));
  await page.locator('[data-state="PAUSED"]').click();
  await totalLine.filter({ hasText: runsLine(paused) }).waitFor();
  // The filter lives in the URL: a reload keeps it, Back undoes it.
  assert.equal(new URL(page.url()).search, "?state=PAUSED");
  await page.reload();
  await totalLine.filter({ hasText: runsLine(paused) }).waitFor({ timeout: 30000 });
  assert.match(await page.locator('[data-state="PAUSED"]').getAttribute("class"), /\bon\b/);
  await page.goBack();
  await totalLine.filter({ hasText: runsLine(total) }).waitFor();
  await page.goForward();
  await totalLine.filter({ hasText: runsLine(paused) }).waitFor();
  await page.getByPlaceholder("run name contains").fill("orphaned");
  await page.getByPlaceholder("run name contains").press("Enter");
  await page.getByPlaceholder("run name contains").blur();
  await totalLine.filter({ hasText: runsLine(1) }).waitFor();
  assert.equal(await page.getByTestId("runs-row").first().locator("a").textContent(), "orphaned-suspension");
  assert.equal(new URL(page.url()).search, "?state=PAUSED&name=orphaned");
  if (total > 25) {
    await page.getByPlaceholder("run name contains").fill("");
    await page.getByPlaceholder("run name contains").blur();
    await page.locator(".chip").first().click();
    await totalLine.filter({ hasText: new RegExp(`${runsLine(total).source} 1 of`) }).waitFor();
    await page.getByTestId("next-page").click();
    await totalLine.filter({ hasText: "page 2" }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("page"), "2");
  }
  await page.screenshot({ path: join(shots, "console-all-runs.png"), fullPage: true });
  await page.close();
});
