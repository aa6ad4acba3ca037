// The npm package as its users get it: `npm pack`, then the tarball installed into throwaway
// projects, used from Node as an ES module and as CommonJS — `init()` the same way from
// both, as the README shows — and packing refused when dist/ is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { consumerProject, pack, packageDir } from "../support/packed.mjs";

// A paused run as the real server returned it (recorded by the core's live reject suite).
const RECORDED = JSON.parse(readFileSync(fileURLToPath(new URL("../../../crates/core/tests/fixtures/reject_cases.json", import.meta.url)), "utf8"))
  .find((c) => c.name === "paused_cancelled");
const RUN = RECORDED.flow_run;
const NOW = RECORDED.now;

test("packed and installed, the package works from ESM and CommonJS with the same init()", () => {
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
