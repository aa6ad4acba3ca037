// A run page opened by its link shows the run's heading (its name, state and id) and the
// page's header as soon as the run's read is answered, and the inbox its first page of paused
// runs as soon as the page and its flows' and deployments' names are, drawn by the page's first
// script (web/loader/first-reads.js) before the console's wasm has arrived; the console's own
// page stays hidden behind it until it has drawn its own (or why it cannot), and then takes its
// place without moving it. Against the real server, in Chromium, under the deploy CSP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cancelRun, consoleSuite, pausedRun, shots } from "../support/e2e.mjs";

const suite = consoleSuite();
const isMainWasm = (url) => /\/flowgate-ui-[0-9a-f]{16}_bg\.wasm$/.test(new URL(url).pathname);

/** Holds the console's main wasm until the returned function is called. */
async function holdWasm(page) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route((url) => isMainWasm(url.href), async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/** Where the heading, the state line and the header are, and what they say. */
const drawn = (page, root) => page.evaluate((root) => {
  const at = (selector) => {
    const element = document.querySelector(`${root} ${selector}`);
    const box = element.getBoundingClientRect();
    return { text: element.textContent, box: [box.x, box.y, box.width, box.height] };
  };
  const badge = document.querySelector(`${root} main .meta .badge`);
  return {
    heading: at("main h1"),
    meta: at("main .meta"),
    code: at("main .meta code").text,
    badge: { text: badge.textContent, class: badge.className },
    nav: at("header.top nav"),
    header: at("header.top").box,
  };
}, root);

test("a run page by its link shows the run before the console's code runs; the console takes its place where it is", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const id = await pausedRun(suite, `early-${Date.now()}`, { flow: "early-heading" });
  const run = await (await fetch(`${suite.harness.api_url}/flow_runs/${id}`)).json();
  const release = await holdWasm(page);
  await page.goto(`${suite.server.base}/runs/${id}`, { waitUntil: "commit" });
  const early = page.locator(".early-view main h1");
  await early.waitFor({ timeout: 30000 });
  assert.equal(await early.textContent(), run.name);
  assert.equal(await page.locator(".early-view .loading").textContent(), "Loading the run's details…");
  // Nothing of the console's own page is shown meanwhile (its wasm has not even arrived).
  assert.equal(await page.evaluate(() => performance.getEntriesByName("flowgate:start").length), 0);
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1);
  const before = await drawn(page, ".early-view");
  await page.screenshot({ path: join(shots, "console-run-early.png") });

  release();
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".early-view").count(), 0, "the first script's view is removed");
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("early-view")), false);
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1);
  const after = await drawn(page, "body");
  // The same words in the same places: the console's heading replaced the first script's.
  assert.deepEqual(
    { heading: after.heading, meta: after.meta.box, code: after.code, badge: after.badge, header: after.header },
    { heading: before.heading, meta: before.meta.box, code: before.code, badge: before.badge, header: before.header },
  );
  assert.deepEqual(after.badge, { text: "Paused", class: "badge badge-paused" });
  assert.equal(after.code, id);
  // The navigation's links where they were, though the console's count of waiting runs may
  // be beside "Waiting" by then (it widens the navigation).
  assert.equal(after.nav.text.replace(/\d[\d,]*/, ""), before.nav.text);
  assert.deepEqual([after.nav.box[0], after.nav.box[1], after.nav.box[3]], [before.nav.box[0], before.nav.box[1], before.nav.box[3]]);
  await page.close();
  await cancelRun(suite, id);
});

/** The inbox's words and where they are: its heading, count, each row's cells, the header. */
const inboxDrawn = (page, root) => page.evaluate((root) => {
  const box = (element) => {
    const { x, y, width, height } = element.getBoundingClientRect();
    return [x, y, width, height];
  };
  const one = (selector) => document.querySelector(`${root} ${selector}`);
  const table = one("main table.runs");
  return {
    heading: one("main h1").textContent,
    count: [one("main p.count").textContent, box(one("main p.count"))],
    bar: box(one("main .bulk")),
    columns: [...table.querySelectorAll("thead th")].map((th) => th.textContent),
    rows: [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent)),
    links: [...table.querySelectorAll("tbody td.name a")].map((a) => a.getAttribute("href")),
    table: box(table),
    pager: one("main nav.pager")?.textContent ?? null,
    nav: one("header.top nav").textContent,
    current: [...document.querySelectorAll(`${root} header.top a[aria-current="page"]`)].map((a) => a.textContent),
    header: box(one("header.top")),
  };
}, root);

test("the inbox shows its first page before the console's code runs; the console takes its place where it is", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
  // One clock for both drawings, so that "5 min ago" and "58m 40s left" say the same.
  await page.clock.setFixedTime(new Date());
  const name = `early-inbox-${Date.now()}`;
  const id = await pausedRun(suite, name, { flow: "early-inbox" });
  const release = await holdWasm(page);
  await page.goto(`${suite.server.base}/`, { waitUntil: "commit" });
  await page.locator(".early-view main tbody tr").first().waitFor({ timeout: 30000 });
  assert.equal(await page.evaluate(() => performance.getEntriesByName("flowgate:start").length), 0);
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1);
  // What would be typed or ticked there is not taken: it would be lost when the console draws.
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll(".early-view .bulk, .early-view tbody input")].map((e) => e.inert).filter((inert) => !inert)), []);
  const before = await inboxDrawn(page, ".early-view");
  await page.screenshot({ path: join(shots, "console-inbox-early.png") });
  // The newest pause first, with its flow's name.
  assert.deepEqual(before.rows[0].slice(1, 5), [name, "early-inbox", "—", "Paused"]);
  assert.equal(before.links[0], `/runs/${id}`);
  assert.deepEqual(before.current, ["Flowgate", `Waiting${before.nav.match(/\d[\d,]*/)?.[0] ?? ""}`]);

  release();
  await page.getByTestId("inbox-row").first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".early-view").count(), 0, "the first script's view is removed");
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("early-view")), false);
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1);
  const after = await inboxDrawn(page, "body");
  // The same words in the same places: the console's page replaced the first script's.
  assert.deepEqual({ ...after, nav: null, header: null }, { ...before, nav: null, header: null });
  assert.deepEqual(after.header, before.header);
  assert.equal(after.nav, before.nav);
  await page.close();
  await cancelRun(suite, id);
});

test("a run the server does not know draws no heading; the console says why", async () => {
  const page = await suite.browser.newPage();
  const release = await holdWasm(page);
  const unknown = "00000000-0000-4000-8000-000000000000";
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/flow_runs/${unknown}`));
  await page.goto(`${suite.server.base}/runs/${unknown}`, { waitUntil: "commit" });
  assert.equal((await answered).status(), 404);
  // The answer is handled before the wasm (still held) could run.
  await page.waitForTimeout(200);
  assert.equal(await page.locator(".early-view").count(), 0);
  release();
  await page.locator('.read-error .error[data-kind="not-found"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".early-view").count(), 0);
  assert.equal(await page.getByRole("heading", { level: 1 }).count(), 0);
  await page.close();
});

test("the theme Settings chose is the page's before the console runs", async () => {
  const page = await suite.browser.newPage();
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${suite.server.base}/settings`);
  await page.getByTestId("theme").selectOption("dark");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
  const release = await holdWasm(page);
  await page.goto(`${suite.server.base}/runs/${suite.harness.runs.timed_out}`, { waitUntil: "commit" });
  await page.locator(".early-view main h1").waitFor({ timeout: 30000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(17, 24, 39)");
  release();
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  await page.goto(`${suite.server.base}/settings`);
  await page.getByTestId("theme").selectOption("system");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
  await page.close();
});

test("a first read that does not come back does not hold the console's start; its answer is used when it comes", async () => {
  // The console's code starts once the first script's view is drawn, or will not be, or a
  // moment after the code is compiled (scripts/console-loader.mjs): never later.
  const page = await suite.browser.newPage();
  const id = suite.harness.runs.timed_out;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let asked = 0;
  await page.route((url) => url.pathname === `/api/flow_runs/${id}`, async (route) => {
    asked += 1;
    await held;
    await route.continue();
  });
  await page.goto(`${suite.server.base}/runs/${id}`, { waitUntil: "commit" });
  await page.waitForFunction(() => performance.getEntriesByName("flowgate:mounted").length === 1, null, { timeout: 30000 });
  // The console's own page, not a view of the first script's, and the run not read yet.
  assert.equal(await page.locator(".early-view").count(), 0);
  await page.getByText("Loading the run…").waitFor({ timeout: 30000 });
  release();
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  // The first script's read, taken by the console: the run was asked for once.
  assert.equal(asked, 1);
  await page.close();
});

test("the first script's view is painted before the console's code starts", async () => {
  // The loader starts the console once that view is drawn (scripts/console-loader.mjs);
  // starting it is one long task, and the browser would paint the view only after it (and the
  // console's first work). Here, as in a cold load on loopback, the wasm is compiled when the
  // run's answer comes: its module is handed to the loader in the very task that draws the
  // view, and the console would start in it, unless the loader lets a frame be rendered first.
  // Frames are seen by their animation-frame callbacks, which come just before a frame's
  // rendering.
  const page = await suite.browser.newPage();
  const id = suite.harness.runs.timed_out;
  await page.addInitScript(() => {
    window.__early = { drawn: null, painted: null, frames: [] };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.identifier === "early") window.__early.painted ??= entry.renderTime;
    }).observe({ type: "element", buffered: true });
    const frame = () => {
      window.__early.frames.push(performance.now());
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    let drawn;
    const viewDrawn = new Promise((resolve) => { drawn = resolve; });
    const observer = new MutationObserver(() => {
      const heading = document.querySelector(".early-view main h1");
      if (heading) {
        heading.setAttribute("elementtiming", "early");
        window.__early.drawn = performance.now();
        observer.disconnect();
        drawn();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
    const compile = WebAssembly.compileStreaming;
    WebAssembly.compileStreaming = (source) => Promise.all([compile.call(WebAssembly, source), viewDrawn]).then(([module]) => module);
  });
  let wasmArrived;
  const arrived = new Promise((resolve) => { wasmArrived = resolve; });
  page.on("requestfinished", (request) => { if (isMainWasm(request.url())) wasmArrived(); });
  await page.route((url) => url.pathname === `/api/flow_runs/${id}`, async (route) => {
    await arrived;
    await route.continue();
  });
  await page.goto(`${suite.server.base}/runs/${id}`, { waitUntil: "commit" });
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  const [{ drawn, painted, frames }, started] = await page.evaluate(() => [window.__early,
    performance.getEntriesByName("flowgate:start")[0]?.startTime]);
  assert.equal(typeof painted, "number", "the first script's heading was painted");
  assert.ok(drawn < started, `drawn at ${drawn} ms, before the console started at ${started} ms`);
  const between = frames.filter((at) => drawn < at && at < started);
  assert.ok(between.length > 0, `a frame between the view drawn (${drawn} ms) and the console's start (${started} ms); frames at ${JSON.stringify(frames.map(Math.round))}`);
  await page.close();
});
