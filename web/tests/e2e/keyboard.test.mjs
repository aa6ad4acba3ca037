// Keyboard-only triage in Chromium, as a person who decides many runs a day works: move,
// tick, resume, open a run, fill its form, resume — no mouse event at all. Release build
// against the harness's real Prefect server (FLOWGATE_CONSOLE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { api as apiOf, consoleSuite, pausedRun as pausedRunOf } from "../support/e2e.mjs";

const suite = consoleSuite();
const api = (path, body) => apiOf(suite, path, body);
const pausedRun = (name, schema) => pausedRunOf(suite, name, { flow: "keyboard-gate", schema });

/** Presses `j` (then `k`) until the current row is run `id` (the list's order is the server's). */
async function moveTo(page, id) {
  // Down, then up: at most one press per row on the page either way, however many runs wait.
  const rows = await page.locator("tr[data-run-id]").count();
  for (const key of ["j", "k"]) {
    for (let i = 0; i <= rows; i++) {
      const current = await page.evaluate(() => document.querySelector("tr.current")?.dataset.runId);
      if (current === id) return;
      await page.keyboard.press(key);
    }
  }
  assert.fail(`j and k never reached run ${id}`);
}

/** Presses Tab until the focused element matches `selector`. */
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

test("keyboard-only triage: move, tick, resume; open a run, fill its form, resume", async () => {
  const plain = [await pausedRun("kb-plain-1"), await pausedRun("kb-plain-2")];
  const asking = await pausedRun("kb-input", { title: "Approval", type: "object", required: ["approver"],
    properties: { approver: { title: "Approver", type: "string" } } });
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.addInitScript(() => {
    window.__mouse = 0;
    for (const type of ["mousedown", "mouseup", "pointerdown"]) addEventListener(type, () => window.__mouse++, true);
  });
  await page.goto(`${suite.server.base}/`);
  await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });

  // ? lists the shortcuts; Esc closes the list.
  await page.keyboard.press("?");
  assert.match(await page.getByTestId("shortcuts").textContent(), /j \/ knext \/ previous run/);
  await page.keyboard.press("Escape");
  assert.equal(await page.getByTestId("shortcuts").count(), 0);

  // Move, tick two runs, resume them with r.
  for (const id of plain) {
    await moveTo(page, id);
    await page.keyboard.press("x");
  }
  assert.equal(await page.getByTestId("resume-selected").textContent(), "Resume selected (2)");
  await page.keyboard.press("r");
  const results = page.locator('[data-testid="bulk-results"] li');
  await results.nth(1).waitFor({ timeout: 45000 });
  for (const text of await results.allTextContents()) assert.match(text, /Resumed: the server set the run to Running\./);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "bulk-results");

  // / goes to the filter; typing there is typing, not shortcuts.
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "inbox-sort");
  await page.keyboard.press("Escape");

  // Open the run that asks for input with Enter, fill its form, resume — by keyboard.
  await page.locator(`[data-run-id="${asking}"]`).waitFor({ timeout: 30000 });
  await moveTo(page, asking);
  await page.keyboard.press("Enter");
  await page.waitForURL(`**/runs/${asking}`);
  await tabTo(page, 'fieldset.input input[type="text"]');
  await page.keyboard.type("ana");
  await page.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor();
  await tabTo(page, '[data-testid="resume"]');
  await page.keyboard.press("Enter");
  await page.locator('[data-testid="outcome"] [data-decision="resume"]').waitFor({ timeout: 45000 });
  assert.match(await page.getByTestId("outcome").textContent(), /^Resumed: the server set the run to Running\./);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "outcome", "focus is on what happened");
  assert.deepEqual(await api(`/flow_runs/${asking}/input/kb-input-response`), { approver: "ana" });

  // g r goes to all runs; j there types into nothing while the filter has focus.
  await page.keyboard.press("g");
  await page.keyboard.press("r");
  await page.waitForURL("**/runs");
  await page.locator('[data-testid="runs-row"]').first().waitFor({ timeout: 30000 });
  await page.keyboard.press("/");
  await page.keyboard.type("jk");
  assert.equal(await page.evaluate(() => document.activeElement?.value), "jk");
  assert.equal(await page.locator("tr.current").count(), 0, "no shortcut fired while typing");
  await page.keyboard.press("g");
  await page.keyboard.press("i");
  assert.equal(await page.evaluate(() => location.pathname), "/runs", "g i typed into the filter does not navigate");

  assert.equal(await page.evaluate(() => window.__mouse), 0, "no mouse event");
  for (const id of plain) assert.equal((await api(`/flow_runs/${id}`)).state.type, "RUNNING");
  await page.close();
});
