// The live inbox against Prefect's own UI on the same real server, in headless Chromium:
// - pause to visible: a run is forced into PAUSED through the API while the inbox is open;
//   the time until its row is on the page, over PAUSES pauses (p50, p95). For Prefect's UI:
//   how often its runs page re-reads the list, measured by watching its requests for 65 s
//   (it has no inbox and no push updates, so a run shows at the next read);
// - the inbox's time to its first row and the page's JS heap with 10, 1,000 and 10,000 paused
//   runs (seeded through the API in between), each the median of LOADS cold loads.
// Prints one JSON object. Usage: node scripts/bench/live.mjs HARNESS_JSON DIST [PAUSES] [LOADS]
import { launchChromium, serveConsole } from "../../web/tests/support/console-server.mjs";
import { apiPost, readHarness, seedPaused } from "../../web/tests/support/prefect.mjs";

const [harnessPath, dist, pausesArg, loadsArg] = process.argv.slice(2);
const harness = readHarness(harnessPath);
const pauses = Number(pausesArg ?? 20);
const loads = Number(loadsArg ?? 5);
const api = harness.api_url;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const server = await serveConsole(dist, api);
const browser = await launchChromium();

async function pausedCount() {
  return apiPost(api, "/flow_runs/count", { flow_runs: { state: { type: { any_: ["PAUSED"] } } } });
}

// Pause to visible.
const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
await page.goto(`${server.base}/`);
await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 30000 });
const flow = await apiPost(api, "/flows/", { name: "bench-live" });
const visible = [];
for (let i = 0; i < pauses; i++) {
  const run = await apiPost(api, "/flow_runs/", { flow_id: flow.id, name: `live-${i}` });
  await apiPost(api, `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  const seen = page.evaluate((id) => new Promise((resolve) => {
    const found = () => document.querySelector(`[data-run-id="${id}"]`);
    if (found()) return resolve(performance.timeOrigin + performance.now());
    const observer = new MutationObserver(() => {
      if (found()) { observer.disconnect(); resolve(performance.timeOrigin + performance.now()); }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }), run.id);
  const t0 = Date.now();
  await apiPost(api, `/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused" }, force: true });
  visible.push((await seen) - t0);
  await apiPost(api, `/flow_runs/${run.id}/resume`, {});
}
await page.close();

// Prefect's UI: how often its runs page reads the list.
const prefectPage = await browser.newPage({ viewport: { width: 1300, height: 900 } });
const reads = [];
prefectPage.on("request", (r) => {
  if (r.method() === "POST" && /\/api\/(ui\/)?flow_runs\/(filter|paginate|count|history)$/.test(new URL(r.url()).pathname)) reads.push(Date.now());
});
await prefectPage.goto(`${harness.ui_url}/runs`);
await prefectPage.waitForTimeout(65000);
await prefectPage.close();
// Reads come in bursts (several lists per refresh): gaps over a second separate refreshes.
const refreshes = reads.filter((t, i) => i === 0 || t - reads[i - 1] > 1000);
const gaps = refreshes.slice(1).map((t, i) => (t - refreshes[i]) / 1000);

// First row and heap at 10, 1,000 and 10,000 paused runs.
async function loadInbox() {
  const results = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${server.base}/`, { waitUntil: "commit" });
    await p.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 120000 });
    const ms = await p.evaluate(() => performance.now());
    await p.waitForLoadState("networkidle");
    const cdp = await context.newCDPSession(p);
    await cdp.send("HeapProfiler.collectGarbage");
    // Metrics are only collected once the domain is enabled.
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? null;
    const nodes = metrics.find((m) => m.name === "Nodes")?.value ?? null;
    results.push({ ms, heap, nodes });
    await context.close();
  }
  return { ms: median(results.map((r) => r.ms)), heap: median(results.map((r) => r.heap)),
    nodes: median(results.map((r) => r.nodes)) };
}
const scale = [];
for (const target of [10, 1000, 10000]) {
  const have = await pausedCount();
  if (have < target) await seedPaused(api, target - have, `bench-scale-${target}`, 16);
  scale.push({ paused: await pausedCount(), ...(await loadInbox()) });
}
await browser.close();
await server.close();
console.log(JSON.stringify({
  pauses, loads,
  visible_ms: { p50: percentile(visible, 0.5), p95: percentile(visible, 0.95), max: Math.max(...visible) },
  prefect_ui_refresh_s: gaps.length ? median(gaps) : null,
  prefect_ui_list_reads: reads.length,
  scale,
}));
