// Desktop notifications, opt-in: with the console's tab in the background, a run that pauses
// anywhere shows a notification naming it; without the opt-in, none. Chromium's real
// Notification, recorded as it is constructed; the real Prefect server of the harness
// (FLOWGATE_CONSOLE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cancelRun, consoleSuite, pausedRun } from "../support/e2e.mjs";

const suite = consoleSuite();
const pause = (name) => pausedRun(suite, name, { flow: "notify-gate" });

async function backgroundTab(optIn) {
  const context = await suite.browser.newContext();
  await context.grantPermissions(["notifications"], { origin: suite.server.base });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__notes = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) { super(title, options); window.__notes.push({ title, body: options?.body, tag: options?.tag }); }
    };
    // The tab is in the background: the person is elsewhere.
    document.hasFocus = () => false;
  });
  await page.goto(`${suite.server.base}/settings`);
  if (optIn) {
    await page.getByTestId("notify").check();
    await page.getByRole("button", { name: "Save" }).click();
    assert.equal(await page.getByTestId("notify-permission").count(), 0, "permission granted");
  }
  await page.goto(`${suite.server.base}/`);
  await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 30000 });
  return { context, page };
}

test("opted in, a run that pauses while the tab is in the background is notified by name", async () => {
  const { context, page } = await backgroundTab(true);
  const id = await pause("notify-me");
  await page.waitForFunction(() => window.__notes.length > 0, null, { timeout: 20000 });
  const [note] = await page.evaluate(() => window.__notes);
  assert.deepEqual(note, { title: "notify-me waits for you", body: "It paused (Paused). Click to decide.", tag: `/runs/${id}` });
  await cancelRun(suite, id);
  await context.close();
});

test("not opted in, nothing is notified", async () => {
  const { context, page } = await backgroundTab(false);
  const id = await pause("do-not-notify");
  await page.locator(`[data-run-id="${id}"]`).waitFor({ timeout: 20000 });
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.__notes), []);
  await cancelRun(suite, id);
  await context.close();
});
