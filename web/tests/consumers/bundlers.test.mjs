// The package in real bundlers' production builds, Vite's and webpack's: the packed tarball
// installed into a throwaway project whose page imports it, `init()`s it, reads a paused run
// from the real Prefect server FLOWGATE_NODE_HARNESS names, checks it and resumes it. Each
// build must carry the package's one wasm as an asset of its own; it is loaded in Chromium
// under the console's Content-Security-Policy, and the run's state is read back from the
// server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import webpack from "webpack";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { consumerProject, pack } from "../support/packed.mjs";
import { readHarness, seedPaused } from "../support/prefect.mjs";

const vite = fileURLToPath(new URL("../../node_modules/vite/bin/vite.js", import.meta.url));

const page = (script) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowgate in a bundle</title></head>
<body><script type="module" src="${script}"></script></body></html>`;

// What a user's page does; the outcome lands in the document for the test to read.
const MAIN = `import init, { PrefectClient, checkResume } from "flowgate";

const params = new URLSearchParams(location.search);
try {
  await init();
  const client = new PrefectClient({ apiUrl: new URL("/api", location.href).href });
  const run = await client.readFlowRun(params.get("run"));
  const verdict = checkResume(run);
  const answer = verdict.status === "ACCEPT" ? await client.resume(run.id, undefined, { decider: "bundle" }) : null;
  document.body.dataset.outcome = JSON.stringify({ verdict: verdict.status, result: answer?.result.status ?? null });
} catch (error) {
  document.body.dataset.outcome = JSON.stringify({ error: String(error?.message ?? error) });
}
`;

const BUNDLERS = {
  /** Vite's build of index.html; returns the files of its assets. */
  async vite(project) {
    writeFileSync(join(project, "index.html"), page("/main.js"));
    execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: project, encoding: "utf8" });
    return readdirSync(join(project, "dist/assets"));
  },
  /** webpack 5's production build of main.js, as its defaults take `new URL(…, import.meta.url)`. */
  async webpack(project) {
    const compiler = webpack({
      mode: "production",
      context: project,
      entry: "./main.js",
      output: { path: join(project, "dist"), filename: "main.[contenthash].js", clean: true },
      performance: { hints: false },
    });
    const stats = await new Promise((resolve, reject) => compiler.run((err, result) => (err ? reject(err) : resolve(result))));
    await new Promise((resolve) => compiler.close(resolve));
    assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
    const files = readdirSync(join(project, "dist"));
    writeFileSync(join(project, "dist/index.html"), page(`/${files.find((f) => /^main\..*\.js$/.test(f))}`));
    return files;
  },
};

for (const [bundler, build] of Object.entries(BUNDLERS)) {
  test(`a ${bundler} production build with the packed package resumes a real paused run in Chromium`, async () => {
    const harnessPath = process.env.FLOWGATE_NODE_HARNESS;
    assert.ok(harnessPath, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
    const { api_url: apiUrl } = readHarness(harnessPath);
    const packDir = mkdtempSync(join(tmpdir(), "flowgate-pack-"));
    const { tarball } = pack(packDir);
    const project = consumerProject(bundler, "module", tarball);
    let server;
    let browser;
    try {
      writeFileSync(join(project, "main.js"), MAIN);
      const assets = await build(project);
      assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 1, `${bundler} emitted the one wasm as an asset: ${assets}`);

      const [id] = await seedPaused(apiUrl, 1, `${bundler}-consumer-${Date.now()}`);
      server = await serveConsole(join(project, "dist"), apiUrl);
      browser = await launchChromium();
      const tab = await browser.newPage();
      const pageErrors = [];
      tab.on("pageerror", (e) => pageErrors.push(e.message));
      await tab.goto(`${server.base}/?run=${id}`);
      const outcome = JSON.parse(await tab.waitForFunction(() => document.body.dataset.outcome, null, { timeout: 30000 })
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
}
