// Flowgate's console and Prefect's own UI on the same server, page for page, at the same size:
// the pictures README.md shows side by side (web/screenshots/). Usage:
//   node scripts/screenshots.mjs <harness.json> [dist]
// with a harness started with --showcase (scripts/screenshots.sh does all of it).
import { mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../web/tests/support/console-server.mjs";

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
];
try {
  for (const { name, flowgate, ready, prefect } of pages) {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${server.base}${flowgate}`);
    await page.locator(ready).first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${name}-flowgate.png`) });
    await page.goto(`${ui}${prefect}`);
    await page.waitForLoadState("networkidle", { timeout: 60000 }).catch(() => {});
    await page.waitForTimeout(3000);
    await page.screenshot({ path: join(out, `${name}-prefect.png`) });
    await page.close();
    console.log(`${name}: web/screenshots/${name}-flowgate.png, web/screenshots/${name}-prefect.png`);
  }
} finally {
  await browser.close();
  await server.close();
}
