// The console as people see it on a phone (375 px) and in dark mode: no sideways scrolling,
// the inbox as cards, the theme from the system unless Settings says otherwise. Release
// build in Chromium against the harness's real Prefect server (FLOWGATE_CONSOLE_HARNESS).
// Screenshots go to target/test-output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const shots = join(repo, "target/test-output");
let harness, server, browser;

async function api(path, body) {
  const response = await fetch(`${harness.api_url}${path}`, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  return response.json();
}

/** A paused run whose pause asks for input, with a long unbroken name. */
async function pausedRun() {
  const flow = await api("/flows/", { name: "layout-gate" });
  const run = await api("/flow_runs/", { flow_id: flow.id, name: "a-very-long-run-name-that-does-not-break-anywhere-at-all" });
  const schema = { title: "Approval", type: "object", required: ["approver"],
    properties: { approver: { title: "Approver", type: "string", description: "Who signs off" }, count: { type: "integer", default: 1 } } };
  await fetch(`${harness.api_url}/flow_runs/${run.id}/input`, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: "layout-schema", value: JSON.stringify(schema) }) });
  await api(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  await api(`/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused", state_details: {
    pause_timeout: new Date(Date.now() + 3600_000).toISOString(), pause_key: "layout",
    run_input_keyset: { schema: "layout-schema", response: "layout-response", description: "layout-description" } } }, force: true });
  return run.id;
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

before(async () => {
  harness = JSON.parse(readFileSync(process.env.FLOWGATE_CONSOLE_HARNESS, "utf8"));
  await mkdir(shots, { recursive: true });
  server = await serveConsole(join(repo, "dist"), harness.api_url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("at 375 px the inbox is cards and no page scrolls sideways", async () => {
  const id = await pausedRun();
  try {
    const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
    await page.goto(`${server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator("table.runs thead").isVisible(), false, "no table header on a phone");
    assert.ok(await overflow(page) <= 0, `the inbox scrolls sideways by ${await overflow(page)} px`);
    await page.screenshot({ path: join(shots, "console-inbox-375.png"), fullPage: true });
    await page.goto(`${server.base}/runs/${id}`);
    await page.getByTestId("reject-panel").waitFor({ timeout: 30000 });
    assert.ok(await overflow(page) <= 0, `the run page scrolls sideways by ${await overflow(page)} px`);
    await page.screenshot({ path: join(shots, "console-run-375.png"), fullPage: true });
    await page.goto(`${server.base}/runs`);
    await page.waitForSelector('[data-testid="chips"], .chips', { timeout: 30000 });
    assert.ok(await overflow(page) <= 0, `all runs scrolls sideways by ${await overflow(page)} px`);
    await page.close();
  } finally {
    await api(`/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
  }
});

test("dark mode follows the system, and Settings can pin light or dark", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: "dark" });
  await page.goto(`${server.base}/`);
  await page.getByTestId("live-status").waitFor({ timeout: 30000 });
  assert.equal(await background(page), "rgb(17, 24, 39)", "dark from the system");
  await page.screenshot({ path: join(shots, "console-inbox-dark.png"), fullPage: true });
  await page.goto(`${server.base}/settings`);
  await page.getByTestId("theme").selectOption("light");
  await page.getByRole("button", { name: "Save" }).click();
  assert.equal(await background(page), "rgb(255, 255, 255)", "light, as chosen");
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByTestId("theme").selectOption("dark");
  await page.getByRole("button", { name: "Save" }).click();
  assert.equal(await background(page), "rgb(17, 24, 39)", "dark, as chosen, on a light system");
  await page.close();
});

test("the all-runs date filter reads days in the browser's time zone, as times are shown", async () => {
  const page = await browser.newPage({ timezoneId: "Europe/Oslo" });
  const bodies = [];
  page.on("request", (r) => { if (r.url().endsWith("/flow_runs/paginate")) bodies.push(JSON.parse(r.postData())); });
  await page.goto(`${server.base}/runs?after=2026-11-01&before=2026-11-30`);
  await page.getByTestId("runs-total").waitFor({ timeout: 30000 });
  assert.deepEqual(bodies.at(-1).flow_runs.start_time,
    { after_: "2026-10-31T23:00:00Z", before_: "2026-11-30T22:59:59Z" }, "Oslo is UTC+1 in November");
  await page.close();
});
