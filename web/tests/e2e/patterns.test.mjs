// A schema `pattern` that backtracks without end must not freeze the page. The console runs
// every pattern search in a Web Worker (web/workers/pattern-check.js) and stops one that
// outlasts its budget; the verdict then says why, and the input is not sent: Prefect's server
// would run the same search with Python's re.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cancelRun, consoleSuite, pausedRun, shots } from "../support/e2e.mjs";

const suite = consoleSuite();
const EVIL = "^(a+)+$";
const SCHEMA = {
  title: "Release code",
  type: "object",
  required: ["code"],
  properties: { code: { type: "string", title: "Code", pattern: EVIL }, ticket: { type: "string", pattern: "^REL-[0-9]+$" } },
};

test("a pattern that backtracks without end: the page keeps answering, the search is stopped, the verdict says why", async () => {
  const id = await pausedRun(suite, `patterns-redos-${Date.now()}`, { schema: SCHEMA });
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${suite.server.base}/runs/${id}`);
  const code = page.locator('[data-path="/code"] input');
  const ticket = page.locator('[data-path="/ticket"] input');
  const verdict = page.getByTestId("verdict");
  await code.waitFor({ timeout: 30000 });
  // Every main-thread task over 50 ms from here on.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => Math.round(e.duration))))
      .observe({ type: "longtask" });
  });
  // A string the pattern matches is decided by the worker as usual.
  await code.pressSequentially("aaaa", { delay: 20 });
  await assert.doesNotReject(verdict.filter({ hasText: "will be accepted" }).waitFor({ timeout: 10000 }));
  // 2^40 ways to split 40 a's: the browser's RegExp would search for days.
  await code.pressSequentially(`${"a".repeat(36)}!`, { delay: 20 });
  // While the worker is busy the page still answers: the other field takes input and its own
  // pattern is checked behind the stuck one.
  await ticket.pressSequentially("REL-1", { delay: 20 });
  assert.equal(await ticket.inputValue(), "REL-1");
  const stopped = verdict.filter({ hasText: "was stopped" });
  await stopped.waitFor({ timeout: 15000 });
  assert.equal(
    await verdict.textContent(),
    "not sent: the pattern '^(a+)+$' cannot be run here (the browser's RegExp was still searching after 1000 ms and was stopped: the pattern backtracks on this input, and may not finish). Prefect's server would run the same search with Python's re, which backtracks the same way and can keep the server busy for hours. Change the input.",
  );
  // Sent, it would hold Prefect's server (Python's re backtracks too): Resume is off.
  assert.equal(await page.getByTestId("resume").isDisabled(), true);
  await page.screenshot({ path: join(shots, "console-pattern-stopped.png"), fullPage: true });
  // The search behind it ran in a new worker: a bad ticket is still caught at once.
  await ticket.fill("REL-x");
  await code.fill("aaa");
  await verdict.filter({ hasText: "will be rejected" }).waitFor({ timeout: 10000 });
  assert.match(await verdict.textContent(), /'REL-x' does not match '\^REL-\[0-9\]\+\$'/);
  await ticket.fill("REL-7");
  await verdict.filter({ hasText: "will be accepted" }).waitFor({ timeout: 10000 });
  assert.equal(await page.getByTestId("resume").isDisabled(), false);
  // No frozen stretch: a search on the main thread would have held it for the whole budget.
  const longTasks = await page.evaluate(() => window.longTasks);
  assert.ok(longTasks.every((ms) => ms < 1000), `main-thread tasks over 50 ms: ${longTasks}`);
  await page.close();
  await cancelRun(suite, id);
});
