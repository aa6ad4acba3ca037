// Apart from web/tests/e2e/ because it stops the harness's Prefect server: the test command
// runs it after the e2e suite, on the same server. A stopped server shows the unreachable banner, and what was typed
// survives. Release build in Chromium (FLOWGATE_CONSOLE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { consoleSuite, repo, shots } from "../support/e2e.mjs";

const suite = consoleSuite();

test("a stopped server shows the unreachable banner and the typed draft survives", async () => {
  const page = await suite.browser.newPage();
  const runId = suite.harness.runs.input[0];
  await page.goto(`${suite.server.base}/runs/${runId}`);
  await page.getByTestId("mode-json").click({ timeout: 30000 });
  const draft = '{"approver": "kept while the server is down"}';
  await page.getByTestId("run-input").fill(draft);
  // Stop this test's own Prefect server (the harness records exactly what it started).
  const stateDir = dirname(process.env.FLOWGATE_CONSOLE_HARNESS);
  execFileSync(join(repo, ".venv/bin/python"), [join(repo, "scripts/harness/prefect_harness.py"), "stop", stateDir]);
  await page.reload();
  const banner = page.getByTestId("connection-banner");
  await banner.waitFor({ timeout: 30000 });
  assert.match(await banner.textContent(), /Cannot reach the Prefect server/);
  assert.equal(await page.evaluate((id) => localStorage.getItem(`flowgate.draft.${id}`), runId), draft);
  await page.screenshot({ path: join(shots, "console-server-down.png"), fullPage: true });
  await page.close();
});
