// The secret (a basic-auth password or an API key) as the console keeps it: sent in the
// Authorization header, and nowhere else — never in a URL, a console message, the page's text
// or the browser's storage unless "remember" is ticked; gone on reload without it; and
// "Forget the secret" removes it from the tab and the storage at once. Real Chromium, the
// release build, the harness's real Prefect server (FLOWGATE_CONSOLE_HARNESS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cancelRun, consoleSuite, markWhenDrawn, pausedRun, sentUntilDrawn } from "../support/e2e.mjs";
import { saveSettings } from "../support/pages.mjs";

const suite = consoleSuite();
const SECRET = "Sup3r-S3cret-42";
const CREDENTIAL = `ana:${SECRET}`;
const ENCODED = Buffer.from(CREDENTIAL).toString("base64");

/** A page whose every request, console message and page error is recorded. */
async function watchedPage(context) {
  const page = await context.newPage();
  const seen = { urls: [], logs: [], authorized: 0 };
  page.on("request", (request) => {
    seen.urls.push(request.url());
    if (request.headers().authorization === `Basic ${ENCODED}`) seen.authorized++;
  });
  page.on("console", (message) => seen.logs.push(message.text()));
  page.on("pageerror", (error) => seen.logs.push(String(error)));
  return { page, seen };
}

/** Everything the page keeps: local and session storage, cookies. */
async function kept(page) {
  return page.evaluate(() => JSON.stringify({
    local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie,
  }));
}

function signIn(page, remember) {
  return saveSettings(page, suite.server.base, { auth: "basic", secret: CREDENTIAL, remember });
}

function assertNowhere(seen, where) {
  for (const url of seen.urls) {
    assert.ok(!url.includes(SECRET) && !url.includes(ENCODED), `${where}: the secret in a URL: ${url}`);
  }
  for (const line of seen.logs) {
    assert.ok(!line.includes(SECRET) && !line.includes(ENCODED), `${where}: the secret in a console message: ${line}`);
  }
}

test("not remembered: sent as the Authorization header only, and gone after a reload", async () => {
  const id = await pausedRun(suite, "secret-keeper");
  const context = await suite.browser.newContext();
  try {
    const { page, seen } = await watchedPage(context);
    await signIn(page, false);
    for (const path of ["/", `/runs/${id}`, "/runs"]) {
      await page.goto(`${suite.server.base}${path}`);
      await page.waitForLoadState("networkidle");
      const text = await page.evaluate(() => document.documentElement.outerHTML);
      assert.ok(!text.includes(SECRET) && !text.includes(ENCODED), `${path}: the secret is in the page`);
    }
    assert.ok(seen.authorized > 0, "the API requests carry the credential");
    assert.ok(!(await kept(page)).includes(SECRET), "the secret is in the browser's storage");
    assertNowhere(seen, "not remembered");
    await page.goto(`${suite.server.base}/settings`);
    assert.equal(await page.getByTestId("secret").inputValue(), "", "the secret outlived a reload");
  } finally {
    await context.close();
    await cancelRun(suite, id);
  }
});

test("remembered only when ticked, and Forget removes it from the tab and the storage", async () => {
  const context = await suite.browser.newContext();
  try {
    const { page, seen } = await watchedPage(context);
    await signIn(page, true);
    assert.ok((await kept(page)).includes(SECRET), "ticked, the secret is remembered");
    await page.reload();
    assert.equal(await page.getByTestId("secret").inputValue(), CREDENTIAL);
    await page.getByTestId("forget-secret").click();
    await page.getByText("Forgotten: removed from this tab and this browser.").waitFor();
    assert.equal(await page.getByTestId("secret").inputValue(), "");
    assert.ok(!(await kept(page)).includes(SECRET), "forgotten, the secret is still stored");
    // Nothing is sent with it any more.
    const before = seen.authorized;
    await page.goto(`${suite.server.base}/`);
    await page.waitForLoadState("networkidle");
    assert.equal(seen.authorized, before, "a request still carried the forgotten secret");
    await page.goto(`${suite.server.base}/settings`);
    assert.equal(await page.getByTestId("secret").inputValue(), "");
    assertNowhere(seen, "remembered");
  } finally {
    await context.close();
  }
});

test("a remembered secret goes with the page's first reads, which the console takes instead of sending again", async () => {
  const id = await pausedRun(suite, "first-reads");
  const context = await suite.browser.newContext();
  try {
    const { page, seen } = await watchedPage(context);
    await signIn(page, true);
    const reads = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path === `/api/flow_runs/${id}` || path === "/api/admin/version") {
        reads.push(`${path} ${r.headers().authorization === `Basic ${ENCODED}` ? "with" : "without"} the credential`);
      }
    });
    await markWhenDrawn(page, "run-name");
    await page.goto(`${suite.server.base}/runs/${id}`);
    await page.getByTestId("run-name").waitFor({ timeout: 30000 });
    // Sent by the HTML page before the wasm ran (web/loader/first-reads.js), with the
    // credential the console would send, and each once until the run is drawn: the console's
    // client took them. (The live socket's connect may read the run again by now.)
    assert.deepEqual([...new Set(reads)].sort(), [
      "/api/admin/version with the credential",
      `/api/flow_runs/${id} with the credential`,
    ]);
    const sent = await sentUntilDrawn(page);
    assert.equal(sent[`/api/flow_runs/${id}`], 1, JSON.stringify(sent));
    assert.equal(sent["/api/admin/version"], 1, JSON.stringify(sent));
    assertNowhere(seen, "first reads");
  } finally {
    await context.close();
    await cancelRun(suite, id);
  }
});
