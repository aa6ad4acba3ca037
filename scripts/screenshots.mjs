// Flowgate's console and Prefect's own UI on the same server, page for page, at the same size:
// the pictures README.md shows side by side (web/screenshots/). Usage:
//   node scripts/screenshots.mjs <harness.json> [dist]
// with a harness started with --showcase (scripts/screenshots.sh does all of it).
import { mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../web/tests/support/console-server.mjs";
import { saveSettings } from "../web/tests/support/pages.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const [harnessPath, dist = join(repo, "dist")] = process.argv.slice(2);
if (!harnessPath) throw new Error("usage: node scripts/screenshots.mjs <harness.json> [dist]");
const harness = JSON.parse(readFileSync(harnessPath, "utf8"));
const ui = harness.ui_url.replace(/\/$/, "");
// The release waiting for its sign-off: the run a newcomer opens first.
const run = harness.runs.production;
const out = join(repo, "web/screenshots");
await mkdir(out, { recursive: true });

const server = await serveConsole(dist, harness.api_url);
const browser = await launchChromium();
const pages = [
  // Prefect has no inbox: its nearest page is the runs list filtered to Paused.
  { name: "inbox", flowgate: "/", ready: '[data-testid="inbox-row"]', prefect: "/runs?state=Paused" },
  { name: "all-runs", flowgate: "/runs", ready: '[data-testid="runs-row"]', prefect: "/runs" },
  { name: "run", flowgate: `/runs/${run}`, ready: '[data-testid="verdict"]', prefect: `/runs/flow-run/${run}` },
  // The same run at a phone's width, and in dark mode (the system's, as a reader's browser
  // says it; Prefect's UI is dark whatever the system says).
  { name: "run-phone", flowgate: `/runs/${run}`, ready: '[data-testid="verdict"]', prefect: `/runs/flow-run/${run}`, viewport: { width: 375, height: 812 } },
  { name: "run-dark", flowgate: `/runs/${run}`, ready: '[data-testid="verdict"]', prefect: `/runs/flow-run/${run}`, colorScheme: "dark" },
];
const size = { width: 1360, height: 900 };

/** Prefect's UI at `path`, once it has drawn what it reads. */
async function prefectPage(page, path) {
  await page.goto(`${ui}${path}`);
  await page.waitForLoadState("networkidle", { timeout: 60000 }).catch(() => {});
  await page.waitForTimeout(3000);
}

function saved(name) {
  console.log(`${name}: web/screenshots/${name}-flowgate.png, web/screenshots/${name}-prefect.png`);
}

try {
  for (const { name, flowgate, ready, prefect, viewport = size, colorScheme = "light" } of pages) {
    const page = await browser.newPage({ viewport, colorScheme });
    await page.goto(`${server.base}${flowgate}`);
    await page.locator(ready).first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${name}-flowgate.png`) });
    await prefectPage(page, prefect);
    await page.screenshot({ path: join(out, `${name}-prefect.png`) });
    await page.close();
    saved(name);
  }

  // The input the release asks for: Flowgate's form on the page, scrolled to it, with the
  // verdict; Prefect's, in the dialog its Resume button opens (closed unsent).
  {
    const page = await browser.newPage({ viewport: size });
    await page.goto(`${server.base}/runs/${run}`);
    await page.getByTestId("verdict").waitFor({ timeout: 30000 });
    await page.getByRole("heading", { name: "The input it asks for" }).evaluate((h) => h.scrollIntoView());
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, "input-flowgate.png") });
    await prefectPage(page, `/runs/flow-run/${run}`);
    await page.getByRole("button", { name: "Resume", exact: true }).first().click();
    await page.getByRole("dialog").waitFor({ timeout: 10000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(out, "input-prefect.png") });
    await page.close();
    saved("input");
  }

  // Rejecting the model promotion: Flowgate's panel with its reason and what it will do,
  // said before sending; Prefect's nearest, the Cancel on its run page and its confirmation
  // (closed unconfirmed, in a tab of its own).
  const promotion = harness.runs["weekly-retrain"];
  const page = await browser.newPage({ viewport: size });
  await saveSettings(page, server.base, { decider: "Dana Okafor" });
  await page.goto(`${server.base}/runs/${promotion}`);
  await page.getByTestId("reject-reason").fill("Recall on the holdout set fell 4 points; retrain with last week's labels fixed.");
  await page.getByTestId("reject-verdict").waitFor({ timeout: 30000 });
  await page.getByTestId("reject-panel").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, "reject-flowgate.png") });
  const prefectTab = await browser.newPage({ viewport: size });
  await prefectPage(prefectTab, `/runs/flow-run/${promotion}`);
  await prefectTab.getByRole("button", { name: "Cancel", exact: true }).click();
  await prefectTab.getByRole("dialog").waitFor({ timeout: 10000 });
  await prefectTab.waitForTimeout(500);
  await prefectTab.screenshot({ path: join(out, "reject-prefect.png") });
  await prefectTab.close();
  saved("reject");

  // Its history once rejected (through Flowgate): the decision recorded beside the states.
  await page.getByTestId("reject").click();
  await page.locator('[data-testid="history-decision"]').first().waitFor({ timeout: 60000 });
  await page.getByTestId("history").scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, "history-flowgate.png") });
  await prefectPage(page, `/runs/flow-run/${promotion}`);
  await page.screenshot({ path: join(out, "history-prefect.png") });
  await page.close();
  saved("history");
} finally {
  await browser.close();
  await server.close();
}
