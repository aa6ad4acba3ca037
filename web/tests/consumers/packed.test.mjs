// The npm package as its users get it: `npm pack`, then the tarball installed into throwaway
// projects, used from Node as an ES module and as CommonJS — `init()` the same way from
// both, as the README shows — an approval bot resuming a real run of the server
// FLOWGATE_NODE_HARNESS names, and packing refused when dist/ is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { consumerProject, pack, packageDir } from "../support/packed.mjs";
import { readHarness, seedPaused } from "../support/prefect.mjs";

// A paused run as the real server returned it (recorded by the core's live reject suite).
const RECORDED = JSON.parse(readFileSync(fileURLToPath(new URL("../../../crates/core/tests/fixtures/reject_cases.json", import.meta.url)), "utf8"))
  .find((c) => c.name === "paused_cancelled");
const RUN = RECORDED.flow_run;
const NOW = RECORDED.now;

test("packed and installed, the package works from ESM and CommonJS with the same init(), and a Node bot resumes a real run", async () => {
  const out = mkdtempSync(join(tmpdir(), "flowgate-pack-"));
  try {
    const { tarball, files } = pack(out);
    for (const needed of ["LICENSE", "README.md", "dist/web/flowgate.js", "dist/node/flowgate.mjs", "dist/node/flowgate.js"]) {
      assert.ok(files.includes(needed), `the tarball has ${needed}`);
    }
    // One wasm, read by both the browser and the Node builds.
    assert.deepEqual(files.filter((f) => f.endsWith(".wasm")), ["dist/web/flowgate_bg.wasm"]);
    const esm = consumerProject("esm", "module", tarball);
    writeFileSync(join(esm, "main.js"), `
      import init, { checkResume, PrefectClient } from "flowgate";
      const run = ${JSON.stringify(RUN)};
      await init();
      const verdict = checkResume(run, { now: ${JSON.stringify(NOW)} });
      new PrefectClient({ apiUrl: "http://127.0.0.1:4200/api" });
      console.log(verdict.status);`);
    assert.equal(execFileSync("node", ["main.js"], { cwd: esm, encoding: "utf8" }).trim(), "ACCEPT");
    const cjs = consumerProject("cjs", "commonjs", tarball);
    writeFileSync(join(cjs, "main.js"), `
      const { init, checkResume } = require("flowgate");
      init().then(() => console.log(checkResume(${JSON.stringify(RUN)}, { now: ${JSON.stringify(NOW)} }).status));`);
    assert.equal(execFileSync("node", ["main.js"], { cwd: cjs, encoding: "utf8" }).trim(), "ACCEPT");

    // An approval bot as a Node user writes one, from the tarball, against the real server:
    // read the run, predict, resume (recorded), and the server's answer is the prediction.
    const { api_url: apiUrl } = readHarness(process.env.FLOWGATE_NODE_HARNESS ?? assert.fail("FLOWGATE_NODE_HARNESS is not set"));
    const [id] = await seedPaused(apiUrl, 1, `packed-bot-${Date.now()}`);
    writeFileSync(join(esm, "bot.js"), `
      import init, { PrefectClient, checkResume, isFlowgateError } from "flowgate";
      await init();
      const client = new PrefectClient({ apiUrl: process.env.API_URL });
      try {
        const run = await client.readFlowRun(process.env.RUN_ID, { signal: AbortSignal.timeout(10000) });
        const verdict = checkResume(run, { serverVersion: await client.serverVersion() });
        const answer = await client.resume(run.id, undefined, { decider: "bot" });
        console.log(verdict.status, answer.result.status, answer.record?.eventId ? "recorded" : "not recorded");
      } catch (e) {
        console.log(isFlowgateError(e) ? e.kind : "not a FlowgateError", e.message);
      }`);
    const said = execFileSync("node", ["bot.js"], { cwd: esm, encoding: "utf8", env: { ...process.env, API_URL: apiUrl, RUN_ID: id } });
    assert.equal(said.trim(), "ACCEPT ACCEPT recorded");
    const after = await (await fetch(`${apiUrl}/flow_runs/${id}`)).json();
    assert.equal(after.state.type, "RUNNING", "the server resumed the run");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("packing without dist/ is refused and says what to do", () => {
  const copy = mkdtempSync(join(tmpdir(), "flowgate-nodist-"));
  cpSync(join(packageDir, "package.json"), join(copy, "package.json"));
  cpSync(join(packageDir, "README.md"), join(copy, "README.md"));
  const result = spawnSync("npm", ["pack", "--dry-run"], { cwd: copy, encoding: "utf8" });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /dist\/ is missing or incomplete .*: build the package first with scripts\/build-package\.sh/);
  rmSync(copy, { recursive: true, force: true });
});
