// The console against Prefect's own UI (served by the same Prefect server), in the same run,
// in headless Chromium with a cold cache for every load. Prints one JSON object:
// - transfer: HTML + JS + CSS + wasm of the first page, each gzipped at level 9 (what a
//   gzip-serving host sends), in bytes;
// - run page: from navigation start until the paused run's name is on screen, ms (median);
// - inbox: the same until the first paused run is listed (Prefect's UI has no inbox);
// - keystroke: from an input event in the run-input form until the verdict line shows the
//   new verdict, ms (median and 95th percentile) — Prefect's UI checks input only on submit.
//
// Usage: node scripts/bench/console.mjs HARNESS_JSON DIST [LOADS]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { launchChromium, serveConsole } from "../../web/tests/support/console-server.mjs";

const [harnessPath, dist, loadsArg] = process.argv.slice(2);
const harness = JSON.parse(readFileSync(harnessPath, "utf8"));
const loads = Number(loadsArg ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const runId = harness.runs.release;
const run = await (await fetch(`${harness.api_url}/flow_runs/${runId}`)).json();
const console_ = await serveConsole(dist, harness.api_url);
const browser = await launchChromium();

/** Loads `url` in a fresh context until `ready(page)` resolves; returns ms since navigation
 * start and the gzipped size of the static assets (not API calls) it fetched. */
async function load(url, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const assets = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    const type = response.headers()["content-type"] ?? "";
    if (!path.startsWith("/api/") && /html|javascript|css|wasm/.test(type)) {
      assets.push(response.body().then((body) => gzipSync(body, { level: 9 }).length)
        .catch((error) => { throw new Error(`could not read ${response.url()}: ${error}`); }));
    }
  });
  await page.goto(url, { waitUntil: "commit" });
  await ready(page);
  const ms = await page.evaluate(() => performance.now());
  await page.waitForLoadState("networkidle");
  const bytes = (await Promise.all(assets)).reduce((a, b) => a + b, 0);
  await context.close();
  return { ms, bytes };
}

async function repeat(url, ready) {
  const results = [];
  for (let i = 0; i < loads; i++) results.push(await load(url, ready));
  return { ms: median(results.map((r) => r.ms)), bytes: median(results.map((r) => r.bytes)) };
}

const byName = (page) => page.getByText(run.name, { exact: true }).first().waitFor({ timeout: 60000 });
const flowgateRun = await repeat(`${console_.base}/runs/${runId}`, byName);
const prefectRun = await repeat(`${harness.ui_url}/runs/flow-run/${runId}`, byName);
const flowgateInbox = await repeat(`${console_.base}/`,
  (page) => page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 60000 }));

// Keystrokes: alternate a valid and an invalid value in the form's integer field.
const page = await browser.newPage();
await page.goto(`${console_.base}/runs/${runId}`);
await page.getByTestId("schema-form").waitFor({ timeout: 60000 });
await page.locator('[data-path="/approver"] input').fill("bench");
await page.locator('[data-path="/window/start"] input').fill("2026-12-01T22:00:00Z");
const keystrokes = await page.evaluate(async (count) => {
  const input = document.querySelector('[data-path="/replicas"] input');
  const verdict = document.querySelector('[data-testid="verdict"]');
  const times = [];
  for (let i = 0; i < count; i++) {
    const expected = i % 2 === 0 ? "will be rejected" : "will be accepted";
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (verdict.textContent.startsWith(expected)) { observer.disconnect(); resolve(); }
      });
      observer.observe(verdict, { childList: true, characterData: true, subtree: true });
    });
    const start = performance.now();
    input.value = i % 2 === 0 ? `${i}x` : `${(i % 40) + 1}`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await changed;
    times.push(performance.now() - start);
  }
  return times;
}, 200);
await page.close();
await browser.close();
await console_.close();

console.log(JSON.stringify({
  loads,
  flowgate: {
    transfer_bytes: flowgateRun.bytes,
    run_page_ms: flowgateRun.ms,
    inbox_ms: flowgateInbox.ms,
    keystroke_ms_median: median(keystrokes),
    keystroke_ms_p95: percentile(keystrokes, 0.95),
  },
  prefect_ui: { transfer_bytes: prefectRun.bytes, run_page_ms: prefectRun.ms },
}));
