// The console under its Content-Security-Policy (web/deploy/security-headers.conf), as served
// by the deploy configuration (nginx with FLOWGATE_CONSOLE_VIA=nginx, else the Node server
// with the same headers). Every e2e file fails on any violation report (support/e2e.mjs);
// this one checks the headers themselves and that the policy is enforced and reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { consoleSuite, repo } from "../support/e2e.mjs";
import { securityHeaders } from "../support/nginx.mjs";

const suite = consoleSuite();
const viaNginx = process.env.FLOWGATE_CONSOLE_VIA === "nginx";

test("every answer carries the security headers; the page has no inline script", async () => {
  const expected = securityHeaders();
  const page = await fetch(`${suite.server.base}/runs/00000000-0000-4000-8000-000000000000`);
  const html = await page.text();
  assert.equal(page.status, 200);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  // The page's first reads (web/loader/first-reads.js) and the loader, both files.
  assert.equal(scripts.length, 2, "the first reads' and the loader's scripts are there");
  for (const [tag, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc="\/(first-reads|loader)-[0-9a-f]{16}\.js"/, `a script with a src: ${tag}`);
    assert.match(attrs, /\bintegrity="sha384-/, `pinned by a hash: ${tag}`);
    assert.equal(body.trim(), "", `no inline code: ${tag}`);
  }
  const loader = html.match(/src="(\/loader-[0-9a-f]{16}\.js)"/)[1];
  const firstReads = html.match(/src="(\/first-reads-[0-9a-f]{16}\.js)"/)[1];
  const wasm = html.match(/href="(\/flowgate-ui-[0-9a-f]+_bg\.wasm)"/)[1];
  // The run page's chunk and its loader (scripts/split-console.mjs): the loader is preloaded
  // with a hash; its name carries none, so it is never cached, while the chunk's does.
  const splitLoader = "/__wasm_split.js";
  assert.match(html, /<link rel="modulepreload" href="\/__wasm_split\.js" crossorigin="anonymous" integrity="sha384-/);
  const chunk = `/${(await (await fetch(`${suite.server.base}${splitLoader}`)).text())
    .match(/"\.\/(run_page-[0-9a-f]{16}\.pack)"/)[1]}`;
  for (const path of ["/", "/runs", loader, firstReads, wasm, splitLoader, chunk, "/api/health"]) {
    const response = await fetch(`${suite.server.base}${path}`);
    assert.equal(response.status, 200, path);
    for (const [name, value] of Object.entries(expected)) {
      const got = response.headers.get(name) ?? "";
      // The tests' servers add a report-uri to the policy, and nothing else.
      assert.equal(got.replace(/; report-uri \S+$/, ""), value, `${name} on ${path}`);
    }
    if (path === wasm) assert.equal(response.headers.get("content-type"), "application/wasm");
    if (path === chunk) assert.equal(response.headers.get("content-type"), "application/octet-stream");
    if (path === splitLoader) assert.match(response.headers.get("content-type"), /^text\/javascript/);
    if (viaNginx && (path === wasm || path === chunk)) assert.match(response.headers.get("cache-control") ?? "", /max-age=31536000/);
    // nginx sends the build's own gzip -9 (gzip_static): the bytes build-console.sh counts.
    if (viaNginx && path !== "/api/health") {
      const file = path === "/" || path === "/runs" ? "/index.html" : path;
      assert.equal(response.headers.get("content-encoding"), "gzip", path);
      assert.equal(Number(response.headers.get("content-length")), statSync(join(repo, "dist", `${file}.gz`)).size, path);
    }
    if (viaNginx && (path === "/runs" || path === splitLoader)) assert.equal(response.headers.get("cache-control"), "no-cache");
  }
});

test("a script the console did not ship is refused, and the violation is reported", async () => {
  const page = await suite.browser.newPage();
  await page.goto(`${suite.server.base}/`);
  await page.getByRole("heading", { name: "Waiting for you" }).waitFor();
  await assert.rejects(page.addScriptTag({ content: "window.injected = true" }), /Content Security Policy/);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  // The console still works: it reads the server after the refusal.
  await page.getByRole("link", { name: "All runs" }).click();
  await page.getByRole("heading", { name: "All runs" }).waitFor();
  await page.close();
  const deadline = Date.now() + 5000;
  while (suite.server.cspReports.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(suite.server.cspReports.length, 1, "one report");
  const report = JSON.parse(suite.server.cspReports[0])["csp-report"];
  assert.equal(report["effective-directive"], "script-src-elem");
  assert.equal(report["blocked-uri"], "inline");
  // This violation was the test's own; any other fails the file.
  suite.server.cspReports.length = 0;
});
