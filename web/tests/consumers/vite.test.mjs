// The package in a real bundler's production build: the packed tarball installed into a
// throwaway Vite project whose page imports it, `init()`s it, reads a paused run from the real
// Prefect server FLOWGATE_NODE_HARNESS names, checks it and resumes it. The build is loaded in
// Chromium under the console's Content-Security-Policy, and the run's state is read back from
// the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { consumerProject, pack } from "../support/packed.mjs";
import { readHarness, seedPaused } from "../support/prefect.mjs";

const vite = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowgate in vite</title></head>
<body><script type="module" src="/main.js"></script></body></html>`;

// What a user's page does; the outcome lands in the document for the test to read.
const MAIN = `import init, { PrefectClient, checkResume } from "flowgate";

const params = new URLSearchParams(location.search);
try {
  await init();
  const client = new PrefectClient({ apiUrl: new URL("/api", location.href).href });
  const run = await client.readFlowRun(params.get("run"));
  const verdict = checkResume(run);
  const answer = verdict.status === "ACCEPT" ? await client.resume(run.id, undefined, { decider: "vite" }) : null;
  document.body.dataset.outcome = JSON.stringify({ verdict: verdict.status, result: answer?.result.status ?? null });
} catch (error) {
  document.body.dataset.outcome = JSON.stringify({ error: String(error?.message ?? error) });
}
`;

test("a Vite production build with the packed package resumes a real paused run in Chromium", async () => {
  const harnessPath = process.env.FLOWGATE_NODE_HARNESS;
  assert.ok(harnessPath, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
  const { api_url: apiUrl } = readHarness(harnessPath);
  const packDir = mkdtempSync(join(tmpdir(), "flowgate-pack-"));
  const { tarball } = pack(packDir);
  const project = consumerProject("vite", "module", tarball);
  let server;
  let browser;
  try {
    writeFileSync(join(project, "index.html"), PAGE);
    writeFileSync(join(project, "main.js"), MAIN);
    execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: project, encoding: "utf8" });
    const assets = readdirSync(join(project, "dist/assets"));
    assert.ok(assets.some((f) => /^flowgate_bg-.*\.wasm$/.test(f)), `Vite emitted the wasm as an asset: ${assets}`);

    const [id] = await seedPaused(apiUrl, 1, `vite-consumer-${Date.now()}`);
    server = await serveConsole(join(project, "dist"), apiUrl);
    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.base}/?run=${id}`);
    const outcome = JSON.parse(await page.waitForFunction(() => document.body.dataset.outcome, null, { timeout: 30000 })
      .then((handle) => handle.jsonValue()));
    assert.deepEqual(outcome, { verdict: "ACCEPT", result: "ACCEPT" });
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(server.cspReports, [], "the bundle runs under the strict policy");

    const after = await (await fetch(`${apiUrl}/flow_runs/${id}`)).json();
    assert.equal(after.state.type, "RUNNING", "the server resumed the run");
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(project, { recursive: true, force: true });
    rmSync(packDir, { recursive: true, force: true });
  }
});
