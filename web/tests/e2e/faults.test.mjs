// The console when the network between it and Prefect fails in the middle of a decision: a
// fault-injecting proxy (web/tests/support/fault-proxy.mjs) sits between the console's /api and
// the real server. What the page says must match the run's state history on the server, the
// typed input must survive, and the page must stay usable. (The same faults against the client
// alone, cell by cell: web/tests/faults/.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cancelRun, consoleSuite, pausedRun, shots } from "../support/e2e.mjs";
import { RunPage, outcomeOf } from "../support/pages.mjs";
import { resumeTransitions } from "../support/prefect.mjs";

const suite = consoleSuite({ faults: true });
const RESUME = /^POST \/api\/flow_runs\/[0-9a-f-]+\/resume$/;
const SCHEMA = { title: "Approval", type: "object", required: ["approver"], properties: { approver: { type: "string" } } };

async function resumes(id) {
  return (await resumeTransitions(suite.harness.api_url, [id])).get(id);
}

async function openWithInput(id, approver) {
  const run = await RunPage.open(await suite.browser.newPage(), suite.server.base, id);
  const field = run.field("/approver");
  await field.waitFor({ timeout: 30000 });
  await field.fill(approver);
  await run.verdict("will be accepted");
  return { page: run.page, field };
}

test("a resume the proxy refused before Prefect saw it: the page says it did not happen, keeps the input, and the next resume goes through once", async () => {
  const id = await pausedRun(suite, `faults-502-${Date.now()}`, { schema: SCHEMA });
  const { page, field } = await openWithInput(id, "ana");
  suite.proxy.inject({ match: RESUME, mode: "status", status: 502 });
  await page.getByTestId("resume").click();
  assert.match(await outcomeOf(page), /interrupted \(.*HTTP 502.*\); the run is still paused, so the resume did not happen\./);
  assert.equal(await field.inputValue(), "ana", "the typed input is kept");
  assert.equal(await resumes(id), 0);
  await page.screenshot({ path: join(shots, "console-fault-not-resumed.png"), fullPage: true });

  suite.proxy.clear();
  await page.getByTestId("resume").click();
  await page.getByTestId("outcome").filter({ hasText: /^Resumed: the server set the run to Running\./ }).waitFor({ timeout: 30000 });
  assert.equal(await resumes(id), 1);
  await page.close();
});

test("a resume Prefect applied but whose answer was lost: the page says it went through, and nothing is sent twice", async () => {
  const id = await pausedRun(suite, `faults-504-${Date.now()}`, { schema: SCHEMA });
  const { page } = await openWithInput(id, "bo");
  suite.proxy.inject({ match: RESUME, mode: "status-after", status: 504 });
  const sentBefore = suite.proxy.log.filter((e) => e.line.includes(`${id}/resume`) && !e.busy).length;
  await page.getByTestId("resume").click();
  assert.match(await outcomeOf(page), /interrupted \(.*HTTP 504.*\); the run has left its pause, so the resume went through\./);
  suite.proxy.clear();
  assert.equal(await resumes(id), 1);
  assert.equal(suite.proxy.log.filter((e) => e.line.includes(`${id}/resume`) && !e.busy).length - sentBefore, 1, "sent once");
  // The page reads the run again: it is Running, and no resume is offered any more.
  await page.getByTestId("resume").waitFor({ state: "detached", timeout: 30000 });
  await page.screenshot({ path: join(shots, "console-fault-resumed.png"), fullPage: true });
  await page.close();
});

test("a bulk resume where one answer is lost after Prefect applied it and one request never reached it: each row says which", async () => {
  const stamp = Date.now();
  const applied = await pausedRun(suite, `faults-bulk-applied-${stamp}`);
  const refused = await pausedRun(suite, `faults-bulk-refused-${stamp}`);
  const plain = await pausedRun(suite, `faults-bulk-plain-${stamp}`);
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${suite.server.base}/`);
  for (const id of [applied, refused, plain]) {
    const tick = page.locator(`[data-run-id="${id}"] input.select`);
    await tick.waitFor({ timeout: 30000 });
    await tick.check();
  }
  suite.proxy.inject({ match: new RegExp(`^POST /api/flow_runs/${applied}/resume$`), mode: "status-after", status: 504 });
  suite.proxy.inject({ match: new RegExp(`^POST /api/flow_runs/${refused}/resume$`), mode: "status", status: 502 });
  await page.getByTestId("resume-selected").click();
  const results = page.getByTestId("bulk-results");
  await results.locator("li").nth(2).waitFor({ timeout: 60000 });
  suite.proxy.clear();
  const row = async (id) => results.locator("li").filter({ hasText: `faults-bulk-${id === applied ? "applied" : id === refused ? "refused" : "plain"}-${stamp}` }).textContent();
  assert.match(await row(applied), /the resume went through/);
  // The console calls Prefect on its own origin (`/api`); the message names the whole URL.
  assert.ok((await row(applied)).includes(`at ${new URL(suite.server.base).origin}/api/flow_runs/${applied}/resume:`), await row(applied));
  assert.match(await row(refused), /the resume did not happen/);
  assert.match(await row(plain), /Resumed: the server set the run to Running/);
  const counts = await resumeTransitions(suite.harness.api_url, [applied, refused, plain]);
  assert.deepEqual([applied, refused, plain].map((id) => counts.get(id)), [1, 0, 1]);
  await page.screenshot({ path: join(shots, "console-fault-bulk.png"), fullPage: true });
  await page.close();
  await cancelRun(suite, refused);
});

test("a run page whose read keeps failing at the proxy: the page names the URL and the proxy, keeps the draft, and Try again loads it", async () => {
  const id = await pausedRun(suite, `faults-read-${Date.now()}`, { schema: SCHEMA });
  const { page } = await openWithInput(id, "ana");
  // The run's read meets a 504 every time it is sent (the client sends a read up to 5 times).
  // The page is left first: open, its live updates read the run too (the socket's connect
  // re-reads it), and one of those could meet a fault meant for the reopened page.
  const url = page.url();
  await page.goto("about:blank");
  suite.proxy.inject({ match: new RegExp(`^GET /api/flow_runs/${id}$`), mode: "status", status: 504, times: 5 });
  await page.goto(url);
  const error = page.locator(".read-error");
  await error.waitFor({ timeout: 45000 });
  const origin = new URL(suite.server.base).origin;
  assert.match(
    await error.textContent(),
    new RegExp(`^Cannot reach the Prefect server at ${origin}/api/flow_runs/${id}: the proxy in front of it answered HTTP 504\\. Is it running, and is the API URL right\\? Try again$`),
  );
  assert.equal(suite.proxy.log.filter((e) => e.line === `GET /api/flow_runs/${id}` && e.fault === "status").length, 5, "read five times, then told");
  await page.screenshot({ path: join(shots, "console-fault-read.png"), fullPage: true });
  suite.proxy.clear();
  await page.getByTestId("try-again").click();
  const field = page.locator('[data-path="/approver"] input');
  await field.waitFor({ timeout: 30000 });
  assert.equal(await field.inputValue(), "ana", "the draft is back in the form");
  await page.close();
  await cancelRun(suite, id);
});

test("the inbox when the list's answer is a proxy's 502 twice, then an HTML page: read again past the 502s, the HTML page said, Try again reads again", async () => {
  const id = await pausedRun(suite, `faults-inbox-${Date.now()}`);
  const LIST = /^POST \/api\/flow_runs\/paginate$/;
  const lists = () => suite.proxy.log.filter((e) => LIST.test(e.line)).length;
  suite.proxy.inject({ match: LIST, mode: "status", status: 502, times: 2 });
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${suite.server.base}/`);
  await page.locator(`[data-run-id="${id}"]`).waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".read-error").count(), 0, "no error for a read that went through");
  assert.equal(suite.proxy.log.filter((e) => LIST.test(e.line) && e.fault === "status").length, 2, "both 502s were met");
  // An HTML page where Prefect's JSON should be is not Prefect's answer and is not read again.
  suite.proxy.inject({ match: LIST, mode: "html", times: 1000 });
  await page.reload();
  const error = page.locator(".read-error");
  await error.waitFor({ timeout: 30000 });
  assert.match(await error.textContent(), /answered HTTP 200: an HTML page, not Prefect's answer \(from a proxy or gateway in between\?\)/);
  // Try again reads the list again (the live updates also do, whenever a run changes).
  const before = lists();
  await page.getByTestId("try-again").click();
  for (let i = 0; i < 100 && lists() === before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(lists() > before, "Try again sent the list again");
  await error.waitFor({ timeout: 30000 });
  suite.proxy.clear();
  // With the proxy mended, the next read lists the run (Try again, or the live updates first).
  await page.getByTestId("try-again").click({ timeout: 5000 }).catch(() => {});
  await page.locator(`[data-run-id="${id}"]`).waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".read-error").count(), 0);
  await page.close();
  await cancelRun(suite, id);
});
