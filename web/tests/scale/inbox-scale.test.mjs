// The inbox with more paused runs than one page holds: the count is the server's exact
// count and every run is reachable, the oldest on the last page. FLOWGATE_SCALE_HARNESS
// names the harness.json of a running server; FLOWGATE_SCALE_RUNS paused runs (default
// 1,000) are seeded into it through the API first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { apiPost, readHarness, seedPaused } from "../support/prefect.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const PAGE_SIZE = 50; // crates/ui/src/routes/inbox.rs

test("thousands waiting: the exact count, and the last run reachable", async () => {
  const path = process.env.FLOWGATE_SCALE_HARNESS;
  assert.ok(path, "FLOWGATE_SCALE_HARNESS must name a running harness's harness.json");
  const harness = readHarness(path);
  await seedPaused(harness.api_url, Number(process.env.FLOWGATE_SCALE_RUNS ?? 1000), `scale-${Date.now()}`);
  const paused = { flow_runs: { state: { type: { any_: ["PAUSED"] } } } };
  const count = await apiPost(harness.api_url, "/flow_runs/count", paused);
  assert.ok(count >= 1000);
  const [oldest] = await apiPost(harness.api_url, "/flow_runs/filter", { ...paused, sort: "START_TIME_ASC", limit: 1 });
  const pages = Math.ceil(count / PAGE_SIZE);

  const server = await serveConsole(join(repo, "dist"), harness.api_url);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${server.base}/`);
    const shown = page.getByTestId("inbox-count");
    await shown.waitFor({ timeout: 30000 });
    assert.equal(Number(await shown.getAttribute("data-count")), count, "the count is the server's, not a page's");
    assert.match(await shown.textContent(), new RegExp(`^${count.toLocaleString("en-US")} paused runs — showing 1–${PAGE_SIZE}, newest first$`));
    assert.equal(await page.locator('[data-testid="inbox-row"]').count(), PAGE_SIZE);
    assert.equal(await page.getByTestId("inbox-pager").locator("span").textContent(), `Page 1 of ${pages}`);

    await page.goto(`${server.base}/?page=${pages}`);
    await page.locator(`[data-run-id="${oldest.id}"]`).waitFor({ timeout: 30000 });
    assert.equal(await page.locator('[data-testid="inbox-row"]').count(), count - (pages - 1) * PAGE_SIZE);
    await page.getByTestId("inbox-pager").getByText("← Previous").click();
    await page.getByTestId("inbox-pager").locator("span").filter({ hasText: `Page ${pages - 1} of ${pages}` }).waitFor();
    assert.equal(await page.locator('[data-testid="inbox-row"]').count(), PAGE_SIZE);
    await page.screenshot({ path: join(repo, "target/test-output/console-inbox-paged.png"), fullPage: true });

    // The order is the server's, so it holds across pages: oldest first puts the oldest first.
    await page.getByTestId("inbox-sort").selectOption("START_TIME_ASC");
    await page.waitForURL(/sort=START_TIME_ASC/);
    await page.waitForFunction((id) => document.querySelector('[data-testid="inbox-row"]')?.dataset.runId === id,
      oldest.id, { timeout: 30000 });
    // Ticks are kept across pages, and the page says how many are elsewhere.
    await page.locator('[data-testid="inbox-row"] input.select').first().check();
    await page.getByTestId("inbox-pager").getByText("Next →").click();
    await page.getByTestId("inbox-pager").locator("span").filter({ hasText: `Page 2 of ${pages}` }).waitFor();
    await page.locator('[data-testid="inbox-row"] input.select').first().check();
    assert.equal(await page.getByTestId("resume-selected").textContent(), "Resume selected (2)");
    assert.equal(await page.getByTestId("selected-elsewhere").textContent(), "1 of them on other pages");
  } finally {
    await browser.close();
    await server.close();
  }
});
