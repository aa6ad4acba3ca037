// The ES-module build in a real browser (Debian's Chromium via playwright-core): a plain page
// imports the package, predicts a resume verdict and performs the real resume against the
// harness's Prefect server (FLOWGATE_NODE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { staticFiles } from "../support/static.mjs";

const webRoot = fileURLToPath(new URL("../..", import.meta.url));

function serveWeb() {
  const server = createServer(staticFiles(webRoot));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("the ES-module build predicts and performs a real resume in Chromium", async () => {
  const path = process.env.FLOWGATE_NODE_HARNESS;
  assert.ok(path, "FLOWGATE_NODE_HARNESS must name a running harness's harness.json");
  const { api_url: api, runs } = JSON.parse(readFileSync(path, "utf8"));
  const server = await serveWeb();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const url = `http://127.0.0.1:${server.address().port}/tests/browser/esm.html?api=${encodeURIComponent(api)}&run=${runs.plain[0]}`;
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
    const result = await page.evaluate(() => window.__result);
    assert.equal(result.error, undefined, `${result.kind}: ${result.error}`);
    assert.equal(result.verdict.status, "ACCEPT");
    assert.equal(result.verdict.httpStatus, 201);
    assert.equal(result.answer.result.status, "ACCEPT");
    assert.equal(result.answer.stateWritten, true);
    assert.equal(result.answer.result.state.type, result.verdict.state.type);
    assert.equal(result.answer.result.state.name, result.verdict.state.name);
  } finally {
    await browser.close();
    server.close();
  }
});
