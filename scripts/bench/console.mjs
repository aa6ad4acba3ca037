// The console against Prefect's own UI (served by the same Prefect server), in the same run,
// in headless Chromium with a cold cache for every load. Prints one JSON object:
// - transfer: HTML + JS + CSS + wasm of the first page, each gzipped at level 9 (what a
//   gzip-serving host sends), in bytes: for a run page opened by its link (with the run
//   page's chunks), whose pause has a description and one whose pause has none (no Markdown
//   parser), and for the inbox (without them: the console fetches them 2 s after start);
// - run page: from navigation start until the paused run's name is on screen, ms (median):
//   first in the heading the console's first script draws before its wasm runs; and until the
//   console's own page has drawn the run (its details, the form, the history);
// - inbox: the same until the first paused run is listed (Prefect's UI has no inbox);
// - run page over a network: the run page again, for both UIs, with Chromium adding 40 ms to
//   every request (no bandwidth limit: the bench's server sends files uncompressed), where
//   each round trip the first view waits for shows;
// - keystroke: from an input event in the run-input form until the verdict line shows the
//   new verdict, ms (median and 95th percentile) — Prefect's UI checks input only on submit;
// - keyboard resume: keystrokes and seconds from opening the console to a sent resume with
//   valid input, no mouse; against the clicks the same task takes in Prefect's UI (counted);
// - waterfall: the first view's critical path, step by step (the HTML, each script, the wasm
//   and its chunks, the console's marks for the wasm running and the app mounted, each API
//   request, the run or row drawn), start and end in ms since navigation, medians over the
//   loads — for a run page by its link and the inbox, and for Prefect's UI's run page (its
//   assets grouped by kind).
//
// Usage: node scripts/bench/console.mjs HARNESS_JSON DIST [LOADS]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { launchChromium, serveConsole } from "../../web/tests/support/console-server.mjs";
import { apiPost, pausedRunOf, stateOf as stateOn } from "../../web/tests/support/prefect.mjs";

const [harnessPath, dist, loadsArg] = process.argv.slice(2);
const harness = JSON.parse(readFileSync(harnessPath, "utf8"));
const loads = Number(loadsArg ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const runId = harness.runs.release;
const run = await (await fetch(`${harness.api_url}/flow_runs/${runId}`)).json();
const console_ = await serveConsole(dist, harness.api_url);
const browser = await launchChromium();

/** A resource's step in the waterfall: API requests by path (ids as {id}), the console's files
 * by what they are (their content hash dropped), Prefect UI's assets by kind. */
function stepOf(url, ours) {
  const path = new URL(url).pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "{id}");
  if (path.startsWith("/api/")) return `api ${path.slice(4)}`;
  const file = path.split("/").pop();
  if (!ours) return `assets: ${file.split(".").pop() || "other"}`;
  if (file === "__wasm_split.js") return "loader (chunk loader)";
  if (/^split_.*\.wasm$/.test(file)) return `wasm chunk ${file.replace(/^split_(.*)-[0-9a-f]{16}\.wasm$/, "$1")}`;
  if (/^chunk_.*\.wasm$/.test(file)) return "wasm chunk (shared)";
  if (file.endsWith(".pack")) return "wasm chunks (the run page's, packed)";
  if (file.endsWith(".wasm")) return "wasm (main)";
  if (file.endsWith(".js")) return "js (glue)";
  if (file.endsWith(".css")) return "css";
  return file;
}

/** The page's timeline: navigation, resources and marks, as [step, start, end] in ms. */
async function timeline(page, ours) {
  const entries = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return [
      { name: "html", start: nav.startTime, end: nav.responseEnd, kind: "html" },
      ...performance.getEntriesByType("resource").map((r) => ({ name: r.name, start: r.startTime, end: r.responseEnd, kind: "resource" })),
      ...performance.getEntriesByType("mark").map((m) => ({ name: m.name, start: m.startTime, end: m.startTime, kind: "mark" })),
    ];
  });
  const steps = new Map();
  for (const e of entries) {
    let step = e.kind === "resource" ? stepOf(e.name, ours) : e.name;
    const grouped = !ours && step.startsWith("assets: ");
    if (steps.has(step) && grouped) {
      const [start, end] = steps.get(step);
      steps.set(step, [Math.min(start, e.start), Math.max(end, e.end)]);
      continue;
    }
    for (let n = 2; steps.has(step); n++) step = `${step.replace(/ #\d+$/, "")} #${n}`;
    steps.set(step, [e.start, e.end]);
  }
  return steps;
}

/** Medians, step by step, of the loads' timelines; sorted by start. */
function medianWaterfall(timelines, drawnMs, ownMs) {
  const names = new Set(timelines.flatMap((t) => [...t.keys()]));
  const rows = [...names].map((step) => {
    const seen = timelines.map((t) => t.get(step)).filter(Boolean);
    return { step, start: median(seen.map((s) => s[0])), end: median(seen.map((s) => s[1])), loads: seen.length };
  });
  rows.push({ step: "drawn (the run or first row on screen)", start: drawnMs, end: drawnMs, loads: timelines.length });
  if (ownMs !== null) rows.push({ step: "drawn by the console itself", start: ownMs, end: ownMs, loads: timelines.length });
  return rows.sort((a, b) => a.start - b.start).map((r) => ({ ...r, start: Math.round(r.start), end: Math.round(r.end) }));
}

/** Loads `url` in a fresh context until `drawn` holds in the page — `{ selector }` matches an
 * element or `{ text }` is in the page's text — noted in the page itself by a
 * MutationObserver as the DOM changes (a poll from outside the page would add its own
 * interval); returns ms since navigation start, the gzipped size of the static assets (not API
 * calls) it fetched, and its timeline. */
async function load(url, drawn, latencyMs = 0) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (latencyMs > 0) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: latencyMs, downloadThroughput: -1, uploadThroughput: -1 });
  }
  // The static assets' responses; their bodies are asked for once the page is idle. Asked for
  // as they arrived, the bodies were copied out through the DevTools protocol while the page
  // was loading, and the page was slower for it (docs/benchmarks.md: the run's heading 259 ->
  // 187 ms when that stopped).
  const assets = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    const type = response.headers()["content-type"] ?? "";
    if (!path.startsWith("/api/") && (/html|javascript|css|wasm/.test(type) || path.endsWith(".pack"))) {
      assets.push(response);
    }
  });
  await page.addInitScript((condition) => {
    const holds = () => condition.selector
      ? document.querySelector(condition.selector) !== null
      : (document.body?.textContent ?? "").includes(condition.text);
    // On the console's pages, also when its own page (not the first script's view) has drawn
    // the run or the first row: `condition.own` matches it.
    const observer = new MutationObserver(() => {
      if (window.__drawnAt === undefined && holds()) window.__drawnAt = performance.now();
      if (window.__ownAt === undefined && condition.own && document.querySelector(condition.own)) {
        window.__ownAt = performance.now();
      }
      if (window.__drawnAt !== undefined && (window.__ownAt !== undefined || !condition.own)) {
        observer.disconnect();
        console.debug("flowgate-bench:drawn");
      }
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  }, drawn);
  // Told by a console message, not polled: Playwright's polling evaluates its own script in
  // the page (~50 ms of main thread under load), which it did ~130 ms into the load, just
  // as the console's first script arrived, and delayed it and all after it.
  const told = page.waitForEvent("console", { predicate: (m) => m.text() === "flowgate-bench:drawn", timeout: 60000 });
  await page.goto(url, { waitUntil: "commit" });
  await told;
  const [ms, ownMs] = await page.evaluate(() => [window.__drawnAt, window.__ownAt ?? null]);
  const steps = await timeline(page, !url.startsWith(harness.ui_url));
  await page.waitForLoadState("networkidle");
  const sizes = assets.map((response) => response.body().then((body) => gzipSync(body, { level: 9 }).length)
    .catch((error) => { throw new Error(`could not read ${response.url()}: ${error}`); }));
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await context.close();
  return { ms, ownMs, bytes, steps };
}

async function repeat(url, drawn, latencyMs = 0) {
  const results = [];
  for (let i = 0; i < loads; i++) results.push(await load(url, drawn, latencyMs));
  const ms = median(results.map((r) => r.ms));
  const own = drawn.own ? median(results.map((r) => r.ownMs)) : null;
  return { ms, own, bytes: median(results.map((r) => r.bytes)), waterfall: medianWaterfall(results.map((r) => r.steps), ms, own) };
}

// The run's name on screen: on the console's run page first in the heading its first script
// draws (web/loader/first-reads.js); `own` notes too when the console's page has drawn it.
const byName = { text: run.name };
const OWN_RUN = 'h1[data-testid="run-name"]';
const flowgateRun = await repeat(`${console_.base}/runs/${runId}`, { ...byName, own: OWN_RUN });
// A paused run whose pause has no description (no input asked for): its page needs no
// Markdown parser (a chunk of its own).
const plainId = harness.runs.plain[0];
const plain = await (await fetch(`${harness.api_url}/flow_runs/${plainId}`)).json();
if (plain.state?.type !== "PAUSED" || plain.state?.state_details?.run_input_keyset?.description) {
  throw new Error(`the harness's plain run is not paused without a description: ${JSON.stringify(plain.state)}`);
}
const flowgatePlainRun = await repeat(`${console_.base}/runs/${plainId}`, { text: plain.name, own: OWN_RUN });
const prefectRun = await repeat(`${harness.ui_url}/runs/flow-run/${runId}`, byName);
// The inbox's first row: first in the page the first script draws, then in the console's.
const OWN_ROW = '[data-testid="inbox-row"]';
const flowgateInbox = await repeat(`${console_.base}/`, { selector: `.early-view tbody tr, ${OWN_ROW}`, own: OWN_ROW });
const LATENCY_MS = 40;
const flowgateRunOverNetwork = await repeat(`${console_.base}/runs/${runId}`, { ...byName, own: OWN_RUN }, LATENCY_MS);
const prefectRunOverNetwork = await repeat(`${harness.ui_url}/runs/flow-run/${runId}`, byName, LATENCY_MS);

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

// A schema pattern that backtracks without end: the longest main-thread task while typing
// 40 a's and a "!" into its field (the console searches in a worker and stops it after its
// budget), beside what one such search costs on a main thread with only 22 a's (each more a
// doubles it). Prefect's own UI is not measured here: its input is checked by the server when
// submitted, where the same search (Python's re) would hold the API.
const redosSchema = { type: "object", required: ["code"], properties: { code: { type: "string", pattern: "^(a+)+$" } } };
const redosRun = await pausedRunOf(harness.api_url, `bench-redos-${Date.now()}`, { flow: "bench-redos", schema: redosSchema, pauseKey: "bench" });
const redos = await browser.newPage();
await redos.goto(`${console_.base}/runs/${redosRun}`);
await redos.locator('[data-path="/code"] input').waitFor({ timeout: 60000 });
await redos.evaluate(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
});
await redos.locator('[data-path="/code"] input').pressSequentially(`${"a".repeat(40)}!`, { delay: 10 });
await redos.getByTestId("verdict").filter({ hasText: "was stopped" }).waitFor({ timeout: 30000 });
const redosLongest = await redos.evaluate(() => Math.max(0, ...window.longTasks));
const mainThreadSearch = await redos.evaluate(() => {
  const start = performance.now();
  new RegExp("^(a+)+$", "u").test(`${"a".repeat(22)}!`);
  return performance.now() - start;
});
await redos.close();
await apiPost(harness.api_url, `/flow_runs/${redosRun}/set_state`, { state: { type: "CANCELLED" }, force: true });

// From opening the console to a sent resume with valid input, by keyboard only, against the
// clicks the same task takes in Prefect's UI (counted by doing it: open the paused run, open
// its Resume dialog, fill the field, submit). Each side decides a run of its own that asks
// for one string.
const askingSchema = { title: "Approval", type: "object", required: ["approver"], properties: { approver: { title: "Approver", type: "string" } } };
const runAskingForInput = (name) => pausedRunOf(harness.api_url, name, { flow: "bench-keyboard", schema: askingSchema, pauseKey: "bench" });
const stateOf = (id) => stateOn(harness.api_url, id);

const keyboardRun = await runAskingForInput(`bench-keyboard-${Date.now()}`);
const kb = await browser.newPage();
let keys = 0;
const press = async (key) => { keys++; await kb.keyboard.press(key); };
const started = Date.now();
await kb.goto(`${console_.base}/`);
await kb.locator(`[data-run-id="${keyboardRun}"]`).waitFor({ timeout: 60000 });
// Newest first: the run is at the top; j moves to it.
while (await kb.evaluate(() => document.querySelector("tr.current")?.dataset.runId) !== keyboardRun) {
  if (keys > 60) throw new Error("j never reached the run");
  await press("j");
}
await press("Enter");
await kb.waitForURL(`**/runs/${keyboardRun}`);
await kb.locator('[data-path="/approver"] input').waitFor({ timeout: 60000 });
while (!(await kb.evaluate(() => document.activeElement?.matches('[data-path="/approver"] input')))) {
  if (keys > 120) throw new Error("Tab never reached the field");
  await press("Tab");
}
for (const key of "ana") await press(key);
await kb.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor({ timeout: 30000 });
while (!(await kb.evaluate(() => document.activeElement?.dataset.testid === "resume"))) {
  if (keys > 200) throw new Error("Tab never reached Resume");
  await press("Tab");
}
await press("Enter");
await kb.locator('[data-testid="outcome"] [data-decision="resume"]').waitFor({ timeout: 60000 });
const keyboardSeconds = (Date.now() - started) / 1000;
if (await stateOf(keyboardRun) !== "RUNNING") throw new Error("the keyboard resume did not resume the run");
await kb.close();

const clickRun = await runAskingForInput(`bench-clicks-${Date.now()}`);
const ui = await browser.newPage({ viewport: { width: 1360, height: 900 } });
let clicks = 0;
const click = async (locator) => { clicks++; await locator.click({ timeout: 60000 }); };
await ui.goto(`${harness.ui_url}/runs?state=Paused`);
await click(ui.getByRole("link", { name: `bench-clicks-`, exact: false }).first());
await click(ui.getByRole("button", { name: "Resume" }).first());
await click(ui.getByRole("dialog").getByRole("textbox").first());
await ui.keyboard.type("ana");
await click(ui.getByRole("dialog").getByRole("button", { name: /Submit|Resume/ }).last());
for (let i = 0; i < 60 && await stateOf(clickRun) === "PAUSED"; i++) await new Promise((r) => setTimeout(r, 500));
if (await stateOf(clickRun) !== "RUNNING") throw new Error("the clicks in Prefect's UI did not resume the run");
await ui.close();

await browser.close();
await console_.close();

console.log(JSON.stringify({
  loads,
  flowgate: {
    transfer_bytes: flowgateRun.bytes,
    undescribed_transfer_bytes: flowgatePlainRun.bytes,
    undescribed_run_page_ms: flowgatePlainRun.ms,
    inbox_transfer_bytes: flowgateInbox.bytes,
    run_page_ms: flowgateRun.ms,
    own_run_page_ms: flowgateRun.own,
    undescribed_own_run_page_ms: flowgatePlainRun.own,
    own_run_page_over_network_ms: flowgateRunOverNetwork.own,
    inbox_ms: flowgateInbox.ms,
    own_inbox_ms: flowgateInbox.own,
    run_page_over_network_ms: flowgateRunOverNetwork.ms,
    keystroke_ms_median: median(keystrokes),
    keystroke_ms_p95: percentile(keystrokes, 0.95),
    keyboard_resume: { keystrokes: keys, seconds: keyboardSeconds, clicks: 0 },
    backtracking_pattern: { longest_main_thread_task_ms: Math.round(redosLongest), main_thread_search_22_ms: Math.round(mainThreadSearch) },
  },
  prefect_ui: { transfer_bytes: prefectRun.bytes, run_page_ms: prefectRun.ms, run_page_over_network_ms: prefectRunOverNetwork.ms, resume_with_input: { clicks } },
  network_latency_ms: LATENCY_MS,
  waterfall: { flowgate_run_page: flowgateRun.waterfall, flowgate_inbox: flowgateInbox.waterfall, prefect_ui_run_page: prefectRun.waterfall },
}));
