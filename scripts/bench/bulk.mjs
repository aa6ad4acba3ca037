// Bulk resume on Prefect + PostgreSQL: Flowgate's client (the npm package in Node and in
// Chromium) at concurrency 1, 4, 8 and 16 against Prefect's own Python client (one after
// another, and asyncio at the same concurrency) and bare HTTP POSTs (the server's ceiling),
// each on RUNS freshly seeded paused runs of the same server, in the same run. After every
// bulk, each run's state history must show exactly one resume. Prints one JSON object.
//
// Usage: node scripts/bench/bulk.mjs HARNESS_JSON RUNS
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../web/tests/support/chromium.mjs";
import { readHarness, resumeTransitions, seedPaused } from "../../web/tests/support/prefect.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const { PrefectClient } = await import(join(repo, "web/package/dist/node/flowgate.js"));
const [harnessPath, runsArg] = process.argv.slice(2);
const harness = readHarness(harnessPath);
const runs = Number(runsArg ?? 1000);
const api = harness.api_url;
const levels = [1, 4, 8, 16];
let batch = 0;

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Per-run latency from resumeMany's progress events: runs are sent in order, the first
 * `concurrency` at once and each later one when an earlier one completes. */
function latencies(ids, completions, concurrency, t0) {
  const doneAt = new Map(completions.map((c) => [c.id, c.at]));
  const order = completions.map((c) => c.at);
  return ids.map((id, i) => doneAt.get(id) - (i < concurrency ? t0 : order[i - concurrency]));
}

function summary(mode, concurrency, seconds, lat, statuses) {
  return { mode, concurrency, runs, seconds, perSecond: runs / seconds,
    p50: percentile(lat, 0.5), p95: percentile(lat, 0.95), statuses };
}

async function exactlyOnce(ids) {
  const counts = await resumeTransitions(api, ids, 16);
  const wrong = ids.filter((id) => counts.get(id) !== 1);
  if (wrong.length) throw new Error(`${wrong.length} runs do not show exactly one resume, e.g. ${wrong[0]}`);
}

async function fresh() {
  batch += 1;
  return seedPaused(api, runs, `bench-bulk-${batch}`);
}

function tally(list) {
  const out = {};
  for (const s of list) out[s] = (out[s] ?? 0) + 1;
  return out;
}

async function flowgateNode(concurrency) {
  const ids = await fresh();
  const client = new PrefectClient({ apiUrl: api, timeoutMs: 60000 });
  const completions = [];
  const t0 = performance.now();
  const outcomes = await client.resumeMany(ids, {
    // No decision records: the comparison is resume against resume (Prefect's client records none).
    concurrency, record: false, onProgress: (e) => completions.push({ id: e.flowRunId, at: performance.now() }),
  });
  const seconds = (performance.now() - t0) / 1000;
  await exactlyOnce(ids);
  return summary("flowgate (Node)", concurrency, seconds, latencies(ids, completions, concurrency, t0),
    tally(outcomes.map((o) => o.answer?.result.status ?? o.error.details.kind)));
}

function serveWeb() {
  const root = join(repo, "web");
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const server = createServer(async (req, res) => {
    const path = normalize(join(root, new URL(req.url, "http://x").pathname));
    if (!path.startsWith(root)) return res.writeHead(403).end();
    let body;
    try {
      body = await readFile(path);
    } catch {
      return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>bench</title>");
    }
    res.writeHead(200, { "content-type": types[extname(path)] ?? "text/html" }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function flowgateChromium(page, concurrency) {
  const ids = await fresh();
  const r = await page.evaluate(async ({ api, ids, concurrency }) => {
    const m = await import("/package/dist/web/flowgate.js");
    await m.default();
    const client = new m.PrefectClient({ apiUrl: api, timeoutMs: 60000 });
    const completions = [];
    const t0 = performance.now();
    const outcomes = await client.resumeMany(ids, {
      // No decision records: the comparison is resume against resume (Prefect's client records none).
    concurrency, record: false, onProgress: (e) => completions.push({ id: e.flowRunId, at: performance.now() }),
    });
    return { t0, end: performance.now(), completions,
      statuses: outcomes.map((o) => o.answer?.result.status ?? o.error.details.kind) };
  }, { api, ids, concurrency });
  await exactlyOnce(ids);
  return summary("flowgate (Chromium)", concurrency, (r.end - r.t0) / 1000,
    latencies(ids, r.completions, concurrency, r.t0), tally(r.statuses));
}

async function python(mode, concurrency) {
  const ids = await fresh();
  const out = execFileSync(join(repo, ".venv/bin/python"),
    [join(repo, "scripts/bench/prefect_resume.py"), api, mode, String(concurrency)],
    { input: JSON.stringify(ids), maxBuffer: 64 << 20 });
  const r = JSON.parse(out.toString());
  await exactlyOnce(ids);
  const name = { sync: "prefect client (sync)", async: "prefect client (asyncio)", raw: "bare HTTP (httpx)" }[mode];
  return summary(name, concurrency, r.seconds, r.latencies_ms, r.statuses);
}

const results = [];
const log = (r) => {
  results.push(r);
  console.error(`${r.mode} c=${r.concurrency}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms`);
};
// FLOWGATE_BENCH_MODES (comma-separated: sync, async, raw, node, chromium) runs a subset.
const modes = (process.env.FLOWGATE_BENCH_MODES ?? "sync,async,raw,node,chromium").split(",");
if (modes.includes("sync")) log(await python("sync", 1));
if (modes.includes("async")) for (const c of levels) log(await python("async", c));
if (modes.includes("raw")) for (const c of levels) log(await python("raw", c));
if (modes.includes("node")) for (const c of levels) log(await flowgateNode(c));
if (modes.includes("chromium")) {
  const server = await serveWeb();
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
  for (const c of levels) log(await flowgateChromium(page, c));
  await browser.close();
  server.close();
}
console.log(JSON.stringify({ runs, database: harness.database, postgres: harness.postgres_version, results }));
