// The console as people see it on a phone (375 px) and in dark mode: no sideways scrolling,
// the inbox as cards, the theme from the system unless Settings says otherwise. Release
// build in Chromium against the harness's real Prefect server (FLOWGATE_CONSOLE_HARNESS).
// Screenshots go to target/test-output/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cancelRun, consoleSuite, pausedRun, shots } from "../support/e2e.mjs";

const suite = consoleSuite();
const SCHEMA = { title: "Approval", type: "object", required: ["approver"],
  properties: { approver: { title: "Approver", type: "string", description: "Who signs off" }, count: { type: "integer", default: 1 } } };

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test("at 375 px the inbox is cards, at 1,024 px a table, and no page scrolls sideways", async () => {
  const id = await pausedRun(suite, "a-very-long-run-name-that-does-not-break-anywhere-at-all", { flow: "layout-gate", schema: SCHEMA });
  try {
    const page = await suite.browser.newPage({ viewport: { width: 375, height: 812 } });
    await page.goto(`${suite.server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator("table.runs thead").isVisible(), false, "no table header on a phone");
    assert.ok(await overflow(page) <= 0, `the inbox scrolls sideways by ${await overflow(page)} px`);
    await page.screenshot({ path: join(shots, "console-inbox-375.png"), fullPage: true });
    await page.goto(`${suite.server.base}/runs/${id}`);
    await page.getByTestId("reject-panel").waitFor({ timeout: 30000 });
    assert.ok(await overflow(page) <= 0, `the run page scrolls sideways by ${await overflow(page)} px`);
    await page.screenshot({ path: join(shots, "console-run-375.png"), fullPage: true });
    await page.goto(`${suite.server.base}/runs`);
    await page.waitForSelector('[data-testid="chips"], .chips', { timeout: 30000 });
    assert.ok(await overflow(page) <= 0, `all runs scrolls sideways by ${await overflow(page)} px`);
    await page.close();
    // A laptop's window: the tables, with their headers, fit it; below 960 px they are cards.
    for (const width of [1024, 1200]) {
      const wide = await suite.browser.newPage({ viewport: { width, height: 800 } });
      await wide.goto(`${suite.server.base}/`);
      await wide.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
      assert.equal(await wide.locator("table.runs thead").isVisible(), true, `the inbox's header at ${width} px`);
      assert.ok(await overflow(wide) <= 0, `at ${width} px the inbox scrolls sideways by ${await overflow(wide)} px`);
      await wide.goto(`${suite.server.base}/runs`);
      await wide.locator('[data-testid="runs-row"]').first().waitFor({ timeout: 30000 });
      assert.ok(await overflow(wide) <= 0, `at ${width} px all runs scrolls sideways by ${await overflow(wide)} px`);
      await wide.close();
    }
  } finally {
    await cancelRun(suite, id);
  }
});

/** Waits for the console's own inbox to show a paused run's badge: the first script's view
 * (with badges of its own) is gone by then, so a badge read is not one being removed. */
async function consoleBadge(page) {
  await page.waitForFunction(() => document.documentElement.hasAttribute("data-console-drew")
    && document.querySelector(".badge-paused") !== null, null, { timeout: 30000 });
}

test("dark mode follows the system, and Settings can pin light or dark", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: "dark" });
  await page.goto(`${suite.server.base}/`);
  await page.getByTestId("live-status").waitFor({ timeout: 30000 });
  assert.equal(await background(page), "rgb(17, 24, 39)", "dark from the system");
  // The states' badges are dark too, not light islands on the dark page.
  await consoleBadge(page);
  const badge = await page.locator(".badge-paused").first()
    .evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]);
  assert.deepEqual(badge, ["rgb(66, 32, 6)", "rgb(253, 230, 138)"], "a paused run's badge in dark");
  await page.screenshot({ path: join(shots, "console-inbox-dark.png"), fullPage: true });
  await page.goto(`${suite.server.base}/settings`);
  await page.getByTestId("theme").selectOption("light");
  await page.getByRole("button", { name: "Save" }).click();
  assert.equal(await background(page), "rgb(255, 255, 255)", "light, as chosen");
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByTestId("theme").selectOption("dark");
  await page.getByRole("button", { name: "Save" }).click();
  assert.equal(await background(page), "rgb(17, 24, 39)", "dark, as chosen, on a light system");
  await page.goto(`${suite.server.base}/`);
  await consoleBadge(page);
  assert.equal(await page.locator(".badge-paused").first().evaluate((e) => getComputedStyle(e).backgroundColor),
    "rgb(66, 32, 6)", "the badges follow the chosen theme");
  await page.close();
});

test("the all-runs date filter reads days in the browser's time zone, as times are shown", async () => {
  const page = await suite.browser.newPage({ timezoneId: "Europe/Oslo" });
  const bodies = [];
  page.on("request", (r) => { if (r.url().endsWith("/flow_runs/paginate")) bodies.push(JSON.parse(r.postData())); });
  await page.goto(`${suite.server.base}/runs?after=2026-11-01&before=2026-11-30`);
  await page.getByTestId("runs-total").waitFor({ timeout: 30000 });
  assert.deepEqual(bodies.at(-1).flow_runs.start_time,
    { after_: "2026-10-31T23:00:00Z", before_: "2026-11-30T22:59:59Z" }, "Oslo is UTC+1 in November");
  // The zone is said once, in the header; a row's time carries its own only where its offset
  // is not today's (a time on the other side of summer time).
  const now = new Date().toLocaleString("en-US", { timeZone: "Europe/Oslo", timeZoneName: "shortOffset" });
  const offset = now.endsWith("GMT+2") ? "+02:00" : "+01:00";
  assert.equal(await page.getByTestId("time-zone").textContent(), `times in UTC${offset}`);
  await page.goto(`${suite.server.base}/runs`);
  await page.getByTestId("runs-row").first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-testid="runs-row"] time .zone').count(), 0, "runs started today carry no zone of their own");
  await page.close();
});
