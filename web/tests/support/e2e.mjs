// What the console's Chromium suites share: the harness's real Prefect server
// (FLOWGATE_CONSOLE_HARNESS), the release build served with /api proxied to it, one
// Chromium, and runs paused through the API as a flow pauses them.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "./console-server.mjs";
import { startFaultProxy } from "./fault-proxy.mjs";
import { serveConsoleWithNginx } from "./nginx.mjs";
import { pausedRunOf } from "./prefect.mjs";

export const repo = fileURLToPath(new URL("../../..", import.meta.url));
export const shots = join(repo, "target/test-output");

/** Starts the console and Chromium before the file's tests and stops them after; the object
 * it returns is filled in by then: `{ harness, server, browser }`. The console is served with
 * the deploy configuration's security headers, by nginx with FLOWGATE_CONSOLE_VIA=nginx (else
 * by a Node server), and the file fails on any Content-Security-Policy violation. */
export function consoleSuite({ faults = false } = {}) {
  const suite = {};
  before(async () => {
    const path = process.env.FLOWGATE_CONSOLE_HARNESS;
    assert.ok(path, "FLOWGATE_CONSOLE_HARNESS must name a running harness's harness.json");
    suite.harness = JSON.parse(readFileSync(path, "utf8"));
    await mkdir(shots, { recursive: true });
    // With `faults`, the console's /api goes through a fault-injecting proxy (`suite.proxy`).
    if (faults) suite.proxy = await startFaultProxy(suite.harness.api_url);
    const serve = process.env.FLOWGATE_CONSOLE_VIA === "nginx" ? serveConsoleWithNginx : serveConsole;
    suite.server = await serve(join(repo, "dist"), suite.proxy?.apiUrl ?? suite.harness.api_url);
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.proxy?.close();
    // A report is sent after the violation; closing the browser flushes what is pending.
    await new Promise((r) => setTimeout(r, 200));
    const reports = suite.server ? [...suite.server.cspReports] : [];
    await suite.server?.close();
    assert.deepEqual(reports, [], "the Content-Security-Policy was violated");
  });
  return suite;
}

/** GET (no body) or POST JSON to the suite's Prefect API; the parsed answer, null if empty. */
export async function api(suite, path, body) {
  const response = await fetch(`${suite.harness.api_url}${path}`, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** A run paused through the API as a flow pauses it (an hour's timeout); with `schema`, the
 * pause asks for input under keys named after the run. */
export function pausedRun(suite, name, options) {
  return pausedRunOf(suite.harness.api_url, name, options);
}

/** Ends a run the test paused, so other suites see only their own. */
export async function cancelRun(suite, id) {
  await api(suite, `/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
}

/**
 * Marks `test:drawn` in the page's own clock (performance marks) when an element with
 * data-testid `testid` first appears: by the time a waitFor returns, the page has gone on (its
 * live socket connects and reads again).
 */
export function markWhenDrawn(page, testid) {
  return page.addInitScript((selector) => {
    const seen = new MutationObserver(() => {
      if (document.querySelector(selector)) {
        performance.mark("test:drawn");
        seen.disconnect();
      }
    });
    seen.observe(document, { childList: true, subtree: true });
  }, `[data-testid="${testid}"]`);
}

/** How many times each API path was asked for before the `test:drawn` mark, by the page's
 * resource timings. */
export function sentUntilDrawn(page) {
  return page.evaluate(() => {
    const drawn = performance.getEntriesByName("test:drawn")[0]?.startTime;
    const sent = {};
    for (const e of performance.getEntriesByType("resource")) {
      const path = new URL(e.name).pathname;
      if (path.startsWith("/api/") && e.startTime < drawn) sent[path] = (sent[path] ?? 0) + 1;
    }
    return sent;
  });
}
