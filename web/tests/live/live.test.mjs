// The console stays current without a reload, against a real Prefect server
// (FLOWGATE_CONSOLE_HARNESS names a harness started with --demo): a real flow that pauses
// while the inbox is open appears, a run resumed from outside leaves, the page of a run
// resumed elsewhere locks its form and keeps the draft, and when a proxy refuses the events
// websocket the header says so and the poll still brings new runs in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { apiPost, harnessFrom, seedPaused, stateOf as stateOn } from "../support/prefect.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const dist = join(repo, "dist");
const shots = join(repo, "target/test-output");
let harness, browser;

before(async () => {
  harness = harnessFrom("FLOWGATE_CONSOLE_HARNESS");
  await mkdir(shots, { recursive: true });
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

/** Starts a real flow (scripts/harness/flows.py) that pauses; resolves to its run id and process. */
async function pauseRealFlow(kind) {
  const idFile = join(harness.dir, `live-${kind}-${Date.now()}.id`);
  const env = { ...process.env, PREFECT_API_URL: harness.api_url, PREFECT_HOME: join(harness.dir, "prefect-home"),
    PREFECT_LOGGING_LEVEL: "WARNING" };
  if (harness.auth) env.PREFECT_API_AUTH_STRING = harness.auth;
  const proc = spawn(join(repo, ".venv/bin/python"), [join(repo, "scripts/harness/flows.py"), kind, idFile, "3600"],
    { env, stdio: "ignore", detached: true });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const id = await readFile(idFile, "utf8").catch(() => "");
    if (id.trim()) return { id: id.trim(), proc };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the flow did not start");
}

const stateOf = (id) => stateOn(harness.api_url, id);

test("a run that pauses while the inbox is open appears; one resumed from outside leaves", async () => {
  const server = await serveConsole(dist, harness.api_url);
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  try {
    await page.goto(`${server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 15000 });
    await page.evaluate(() => { window.__notReloaded = true; });
    const before = Number(await page.getByTestId("inbox-count").getAttribute("data-count"));

    const { id, proc } = await pauseRealFlow("plain");
    const row = page.locator(`[data-run-id="${id}"]`);
    await row.waitFor({ timeout: 20000 });
    assert.equal(await stateOf(id), "PAUSED");
    assert.equal(Number(await page.getByTestId("inbox-count").getAttribute("data-count")), before + 1);
    await page.screenshot({ path: join(shots, "console-live-paused-appears.png"), fullPage: true });

    const answer = await apiPost(harness.api_url, `/flow_runs/${id}/resume`, {});
    assert.equal(answer.status, "ACCEPT");
    await row.waitFor({ state: "detached", timeout: 10000 });
    assert.equal(Number(await page.getByTestId("inbox-count").getAttribute("data-count")), before);
    assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was never reloaded");
    await new Promise((resolve) => proc.once("exit", resolve));
  } finally {
    await page.close();
    await server.close();
  }
});

test("the page of a run resumed elsewhere locks its form and keeps the draft", async () => {
  const server = await serveConsole(dist, harness.api_url);
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  try {
    const runId = harness.runs.input.at(-1);
    assert.equal(await stateOf(runId), "PAUSED", "the harness's last input run is still paused");
    await page.goto(`${server.base}/runs/${runId}`);
    await page.getByTestId("mode-json").click({ timeout: 30000 });
    await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 15000 });
    const draft = '{"approver": "typed here, resumed there", "address": {"city": "Oslo"}}';
    await page.getByTestId("run-input").fill(draft);

    const answer = await apiPost(harness.api_url, `/flow_runs/${runId}/resume`,
      { run_input: { approver: "someone else", address: { city: "Bergen" } } });
    assert.equal(answer.status, "ACCEPT");
    const notice = page.getByTestId("changed-elsewhere");
    await notice.waitFor({ timeout: 10000 });
    assert.match(await notice.textContent(), /^Resumed elsewhere at \d\d:\d\d — it is now Running; your draft is kept\.$/);
    assert.equal(await page.getByTestId("resume").isDisabled(), true, "the form is locked");
    assert.equal(await page.getByTestId("run-input").isDisabled(), true);
    assert.equal(await page.getByTestId("run-input").inputValue(), draft, "the draft is still on screen");
    assert.equal(await page.evaluate((id) => localStorage.getItem(`flowgate.draft.${id}`), runId), draft);
    await page.screenshot({ path: join(shots, "console-live-resumed-elsewhere.png"), fullPage: true });
  } finally {
    await page.close();
    await server.close();
  }
});

test("a proxy that refuses the websocket: the header says polling only, the poll brings new runs", async () => {
  const server = await serveConsole(dist, harness.api_url, { websockets: false });
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  try {
    await page.goto(`${server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    const status = page.getByTestId("live-status");
    await status.filter({ hasText: "polling only" }).waitFor({ timeout: 15000 });
    assert.match(await status.getAttribute("title"), /Live updates from .*events\/out are not available/);
    const [id] = await seedPaused(harness.api_url, 1, `polled-${Date.now()}`);
    // No event reaches this page: the 30-second poll must bring the run in.
    await page.locator(`[data-run-id="${id}"]`).waitFor({ timeout: 45000 });
    await page.screenshot({ path: join(shots, "console-live-polling-only.png") });
    await apiPost(harness.api_url, `/flow_runs/${id}/resume`, {});
  } finally {
    await page.close();
    await server.close();
  }
});

test("the inbox draws its first answer while the re-read the events socket asks for as it connects is still out", async () => {
  const server = await serveConsole(dist, harness.api_url);
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const held = [];
  try {
    // Every read of the inbox's page waits until released: the first until the socket is
    // live (so the re-read it asks for starts while the first is out), the later ones until
    // the inbox is drawn.
    await page.route((url) => url.pathname === "/api/flow_runs/paginate", (route) => { held.push(route); });
    await page.goto(`${server.base}/`);
    await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 30000 });
    for (let i = 0; i < 100 && held.length < 2; i++) await page.waitForTimeout(100);
    assert.ok(held.length >= 2, `the socket's connect asked for the page again while the first read was out (${held.length})`);
    await held[0].continue();
    // Drawn from the first answer, every later read still held.
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 15000 });
  } finally {
    for (const route of held.slice(1)) await route.continue().catch(() => {});
    await page.close();
    await server.close();
  }
});
