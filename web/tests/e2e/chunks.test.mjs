// The run page's code is a wasm chunk of its own (scripts/split-console.mjs), as a bulk's is:
// the inbox loads without it, the console fetches it in the background once idle, a run opened
// by its link fetches it at once; a bulk's code comes when a run is first ticked; and a chunk
// that cannot be fetched is said so (with Try again), the console otherwise working. Against
// the real server, in Chromium, under the deploy CSP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, consoleSuite, markWhenDrawn, pausedRun, sentUntilDrawn } from "../support/e2e.mjs";
import { watchStateChanges } from "../support/pages.mjs";

const suite = consoleSuite();
// The run page's code: its own chunk and the chunks it shares with others' (chunk_N-…), in one
// file (scripts/split-console.mjs packs them); the code of a run's rules section
// (split_rules_glance) later, and the rules page's with its form (split_rules) never.
const isChunk = (url) => /\/run_page-[0-9a-f]{16}\.pack$/.test(new URL(url).pathname);
const isRulesChunk = (url) => /\/split_rules_glance-[0-9a-f]{16}\.wasm$/.test(new URL(url).pathname);
const isRulesPageChunk = (url) => /\/split_rules-[0-9a-f]{16}\.wasm$/.test(new URL(url).pathname);
// The Markdown parser's: only for a pause with a description.
const isMarkdownChunk = (url) => /\/split_markdown-[0-9a-f]{16}\.wasm$/.test(new URL(url).pathname);
const isBulkChunk = (url) => /\/split_bulk-[0-9a-f]{16}\.wasm$/.test(new URL(url).pathname);
/** What the console says when the code of `what` cannot be fetched (routes/run_chunk.rs). */
const unfetched = (what) =>
  `the code of ${what} could not be fetched from the server this console is served by ` +
  "(failed to load split module); check the connection and try again, or reload the page " +
  "if Flowgate was updated since it was opened";

/** Records which of the page's first reads (web/loader/first-reads.js) the console takes, in
 * `window.__taken` as "METHOD /path". */
function recordTaken(page) {
  return page.addInitScript(() => {
    window.__taken = [];
    let take;
    Object.defineProperty(globalThis, "flowgateFirstRead", {
      set(f) { take = f; },
      get() {
        return take && ((method, url, ...rest) => {
          const answer = take(method, url, ...rest);
          if (answer) window.__taken.push(`${method} ${new URL(url).pathname}`);
          return answer;
        });
      },
    });
  });
}

function watchChunks(page) {
  const fetched = [];
  page.on("request", (r) => { if (isChunk(r.url())) fetched.push({ url: r.url(), at: Date.now() }); });
  return fetched;
}

test("the inbox renders before the run page's chunk is fetched, which comes once idle", async () => {
  const page = await suite.browser.newPage();
  const fetched = watchChunks(page);
  const wasm = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
  await markWhenDrawn(page, "inbox-row");
  await recordTaken(page);
  await page.goto(`${suite.server.base}/`);
  await page.waitForSelector('[data-testid="inbox-row"]', { timeout: 30000 });
  const listedAt = Date.now();
  assert.deepEqual(fetched, [], "the inbox was drawn without the run page's code");
  assert.equal(wasm.length, 1, `one wasm before the inbox: ${wasm}`);
  // The page's first reads (web/loader/first-reads.js) send the inbox's first page and the
  // header's count before the console's wasm has started, and the console takes them: each
  // is sent once until the first row is drawn.
  const reads = await page.evaluate(() => {
    const drawn = performance.getEntriesByName("test:drawn")[0]?.startTime;
    const sent = (path) => performance.getEntriesByType("resource")
      .filter((e) => new URL(e.name).pathname === path).map((e) => e.startTime);
    const page = sent("/api/flow_runs/paginate");
    const count = sent("/api/flow_runs/count");
    return {
      started: performance.getEntriesByName("flowgate:start")[0]?.startTime, drawn,
      page: page[0], count: count[0],
    };
  });
  const said = JSON.stringify(reads);
  assert.ok(reads.started > 0 && reads.drawn > reads.started, said);
  assert.ok(reads.page < reads.started && reads.count < reads.started, `asked for before the wasm started: ${said}`);
  // And beside it the names of the flows and deployments that have a paused run, which the
  // console takes too (the fixtures' runs have both).
  assert.deepEqual((await page.evaluate(() => window.__taken)).sort(),
    ["GET /api/admin/version", "POST /api/deployments/filter", "POST /api/flow_runs/count",
      "POST /api/flow_runs/paginate", "POST /api/flows/filter"], said);
  // Names are read once for each page read until drawn (a re-read page has its own), none for
  // the first page but the script's.
  const names = await sentUntilDrawn(page);
  const pages = names["/api/flow_runs/paginate"];
  for (const path of ["/api/flows/filter", "/api/deployments/filter"]) {
    assert.ok(names[path] >= 1 && names[path] <= pages, `${path}: once a page until drawn: ${JSON.stringify(names)}`);
  }
  // A second read of each may come before the row is drawn: the events socket's connect asks
  // pages to read again.
  assert.ok(pages <= 2 && names["/api/flow_runs/count"] <= 2, `${said}; ${JSON.stringify(names)}`);
  // Fetched in the background, after the first page's reads.
  await page.waitForRequest((r) => isChunk(r.url()), { timeout: 10000 });
  assert.equal(fetched.length, 1);
  assert.ok(fetched[0].at >= listedAt, "the chunk came after the inbox was drawn");
  // Opening a run then needs nothing more from the network but the run.
  await page.locator('[data-testid="inbox-row"] a').first().click();
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  assert.equal(fetched.length, 1, "the chunk is fetched once");
  await page.close();
});

test("a run opened by its link reads the run and fetches the chunk at once, beside the main part, and once", async () => {
  const page = await suite.browser.newPage();
  const order = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (isChunk(r.url())) order.push("chunk");
    else if (/^\/api\/flow_runs\/[0-9a-f-]{36}$/.test(path)) order.push("run");
    else if (path === "/api/admin/version") order.push("version");
    else if (path.startsWith("/api/")) order.push("api");
  });
  const warnings = [];
  page.on("console", (m) => { if (/preload/i.test(m.text())) warnings.push(m.text()); });
  page.on("request", (r) => { if (isRulesChunk(r.url())) order.push("rules"); });
  page.on("request", (r) => { if (isRulesPageChunk(r.url())) order.push("rules page"); });
  page.on("request", (r) => { if (isMarkdownChunk(r.url())) order.push("markdown"); });
  // The gate's policy verdict is a chunk fetched only when a gate answers (web/tests/gate/).
  page.on("request", (r) => { if (/\/split_policy-[0-9a-f]{16}\.wasm$/.test(new URL(r.url()).pathname)) order.push("policy"); });
  await markWhenDrawn(page, "run-name");
  await page.goto(`${suite.server.base}/runs/${suite.harness.runs.completed}`);
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  // The run's rules section comes from a chunk of its own, asked for once the run is read.
  await page.getByTestId("run-rules").waitFor({ timeout: 30000 });
  // A finished run no rule touched says so rather than leave the section empty.
  await page.getByTestId("rules-summary").filter({ hasText: "No Flowgate rule applies to this run." }).waitFor({ timeout: 30000 });
  const rulesAt = order.indexOf("rules");
  assert.ok(rulesAt > order.indexOf("run") && rulesAt > order.indexOf("chunk"), `the rules' chunk came after the run: ${order.join(", ")}`);
  // The page's first reads (web/loader/first-reads.js) and the run page's chunk are asked
  // for before the console's wasm has started (its mark flowgate:start, crates/ui main.rs).
  const began = await page.evaluate(() => {
    const drawn = performance.getEntriesByName("test:drawn")[0]?.startTime;
    const sent = (pattern) => performance.getEntriesByType("resource")
      .filter((e) => pattern.test(new URL(e.name).pathname)).map((e) => e.startTime);
    const run = sent(/^\/api\/flow_runs\/[0-9a-f-]{36}$/);
    const version = sent(/^\/api\/admin\/version$/);
    return {
      started: performance.getEntriesByName("flowgate:start")[0]?.startTime,
      drawn,
      run: run[0],
      version: version[0],
      chunk: sent(/\/run_page-[0-9a-f]{16}\.pack$/)[0],
    };
  });
  assert.ok(began.started > 0, `the console marked its start: ${JSON.stringify(began)}`);
  for (const what of ["run", "version", "chunk"]) {
    assert.ok(began[what] < began.started, `${what} asked for before the wasm started: ${JSON.stringify(began)}`);
  }
  // Each is sent once until the run is drawn: the console's client takes the page's first
  // reads instead of sending them again, and the page takes the route's read of the run. (Reads
  // after it are the page staying current: the live socket's first connect re-reads it.)
  assert.ok(began.drawn > began.started, `the run was drawn: ${JSON.stringify(began)}`);
  const sent = await sentUntilDrawn(page);
  const runPath = `/api/flow_runs/${suite.harness.runs.completed}`;
  assert.equal(sent[runPath], 1, `the run read once until drawn: ${JSON.stringify(sent)}; ${order.join(", ")}`);
  assert.equal(sent["/api/admin/version"], 1, `the version read once until drawn: ${JSON.stringify(sent)}; ${order.join(", ")}`);
  assert.equal(order.filter((o) => o === "chunk").length, 1, "fetched once");
  await page.waitForTimeout(3500);
  assert.equal(order.filter((o) => o === "chunk").length, 1, "not fetched again when idle");
  assert.ok(!order.includes("policy"), `no gate, no policy code: ${order.join(", ")}`);
  assert.ok(!order.includes("rules page"), `not the rules page's code: ${order.join(", ")}`);
  assert.ok(!order.includes("markdown"), `no description, no Markdown parser: ${order.join(", ")}`);
  assert.equal(order.filter((o) => o === "rules").length, 1, `the rules section's code once: ${order.join(", ")}`);
  assert.deepEqual(warnings.filter((w) => /run_page-[0-9a-f]{16}\.pack/.test(w)), [], "the preload was used");
  await page.close();
});

test("a paused run opened by its link gets what it asks for and its names from the page's first reads", async () => {
  // A run that asks for input with a description; no test decides it.
  const runId = suite.harness.runs.input[1];
  const run = await api(suite, `/flow_runs/${runId}`);
  const keyset = run.state.state_details.run_input_keyset;
  assert.ok(keyset.schema && keyset.description, `the run asks for input, described: ${JSON.stringify(keyset)}`);
  const page = await suite.browser.newPage();
  await markWhenDrawn(page, "schema-form");
  await recordTaken(page);
  const markdown = [];
  page.on("request", (r) => { if (isMarkdownChunk(r.url())) markdown.push(r.url()); });
  await page.goto(`${suite.server.base}/runs/${runId}`);
  await page.getByTestId("schema-form").waitFor({ timeout: 30000 });
  // The description's Markdown parser is a chunk of its own, asked for by the page's first
  // script once the run it read names a description, as it asks for the description: before
  // the description's text is here (the console itself would ask only once it is).
  await page.getByTestId("description").waitFor({ timeout: 30000 });
  assert.equal(markdown.length, 1, `the Markdown parser fetched once: ${markdown}`);
  const markdownAt = await page.evaluate((key) => {
    const entry = (pattern) => performance.getEntriesByType("resource").find((e) => pattern.test(new URL(e.name).pathname));
    return {
      asked: entry(/\/split_markdown-[0-9a-f]{16}\.wasm$/)?.startTime,
      description: entry(new RegExp(`/input/${key}$`))?.responseEnd,
    };
  }, keyset.description);
  assert.ok(markdownAt.asked < markdownAt.description, `the Markdown parser asked for before the description came: ${JSON.stringify(markdownAt)}`);
  const expected = [
    `GET /api/flow_runs/${runId}`,
    `GET /api/flow_runs/${runId}/input/${keyset.schema}`,
    `GET /api/flow_runs/${runId}/input/${keyset.description}`,
    "GET /api/admin/version",
    "POST /api/flow_runs/count",
    "POST /api/flows/filter",
    ...(run.deployment_id ? ["POST /api/deployments/filter"] : []),
  ];
  const taken = await page.evaluate(() => window.__taken);
  assert.deepEqual(taken.toSorted(), expected.toSorted());
  // The run and what follows from it, each once until the form is drawn: the console sent
  // none of them again. (The count may be read twice: the live socket's connect re-reads it.)
  const sent = await sentUntilDrawn(page);
  for (const read of expected.filter((r) => r.includes(runId) || /(flows|deployments)\/filter$/.test(r))) {
    const path = read.split(" ")[1];
    assert.equal(sent[path], 1, `${path} asked for once until drawn: ${JSON.stringify(sent)}`);
  }
  await page.close();
});

test("a chunk that cannot be fetched is said so, the console keeps working, Try again loads it", async () => {
  const page = await suite.browser.newPage();
  let refuse = true;
  let refused = 0;
  await page.route((url) => isChunk(url.href), (route) => {
    if (refuse) { refused++; return route.abort("connectionreset"); }
    return route.continue();
  });
  await page.goto(`${suite.server.base}/runs/${suite.harness.runs.timed_out}`);
  const error = page.getByTestId("chunk-error");
  await error.waitFor({ timeout: 30000 });
  assert.equal(
    await error.textContent(),
    unfetched("the run page"),
  );
  assert.equal(await page.getByRole("alert").count(), 1);
  // The rest of the console works without the chunk.
  await page.getByRole("link", { name: "Waiting" }).click();
  await page.waitForSelector('[data-testid="inbox-row"]', { timeout: 30000 });
  await page.goBack();
  await error.waitFor();
  refuse = false;
  await page.getByTestId("try-again").click();
  await page.getByTestId("run-name").waitFor({ timeout: 30000 });
  assert.ok(refused >= 2, `each attempt fetched again (${refused} refused)`);
  assert.equal(await error.count(), 0);
  await page.close();
});

test("the bulk's code comes when a run is first ticked; if it cannot be fetched, the bulk says so, sends nothing and keeps the ticks", async () => {
  const ids = [
    await pausedRun(suite, "bulk-chunk-1", { flow: "chunks-gate" }),
    await pausedRun(suite, "bulk-chunk-2", { flow: "chunks-gate" }),
  ];
  const page = await suite.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  let refuse = true;
  const asked = [];
  await page.route((url) => isBulkChunk(url.href), (route) => {
    asked.push(refuse ? "refused" : "sent");
    return refuse ? route.abort("connectionreset") : route.continue();
  });
  const sent = watchStateChanges(page);
  await page.goto(`${suite.server.base}/?sort=START_TIME_DESC`);
  const row = (id) => page.locator(`[data-run-id="${id}"]`);
  await row(ids[1]).waitFor({ timeout: 30000 });
  // Idle past the run page's background fetch: the bulk's code is not fetched for that.
  await page.waitForTimeout(3000);
  assert.deepEqual(asked, [], "not fetched before a run is ticked");
  for (const id of ids) await row(id).locator("input.select").check();
  for (let i = 0; i < 100 && asked.length === 0; i++) await page.waitForTimeout(100);
  assert.deepEqual(asked, ["refused"], "fetched once, when the first run was ticked");
  const resume = page.getByTestId("resume-selected");
  await resume.click();
  const error = page.getByTestId("chunk-error");
  await error.waitFor({ timeout: 30000 });
  assert.equal(
    await error.textContent(),
    unfetched("bulk decisions"),
  );
  assert.equal(await error.getAttribute("role"), "alert");
  assert.equal(sent.length, 0, "nothing was sent");
  assert.equal(await resume.textContent(), "Resume selected (2)", "the ticks stay");
  // The next try fetches the code again and sends the bulk.
  refuse = false;
  await resume.click();
  const results = page.locator('[data-testid="bulk-results"] li');
  await results.nth(1).waitFor({ timeout: 45000 });
  for (const text of await results.allTextContents()) {
    assert.match(text, /^bulk-chunk-\d: Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
  }
  assert.equal(await error.count(), 0, "the error is gone");
  // Each try fetched the code afresh: the tick's, the first Resume's, the second's.
  assert.deepEqual(asked, ["refused", "refused", "sent"]);
  // Each run's resume was sent, and each run left its pause once, by the server's own history.
  // (Not a count of the page's requests: with this test's interception on, a resume Chromium
  // sends again on a fresh socket — the server had closed the idle one it was first written
  // to — shows as a second request.)
  assert.deepEqual([...new Set(sent.map((url) => url.split("/").at(-2)))].sort(), [...ids].sort());
  for (const id of ids) {
    assert.equal((await api(suite, `/flow_runs/${id}`)).state.type, "RUNNING");
    const history = await api(suite, `/flow_run_states/?flow_run_id=${id}`);
    const types = history.toSorted((a, b) => a.timestamp.localeCompare(b.timestamp)).map((state) => state.type);
    assert.deepEqual(types.slice(types.indexOf("PAUSED")), ["PAUSED", "RUNNING"], `${id}: ${types}`);
  }
  await page.close();
});
