// Desktop notifications, opt-in: with the console's tab in the background, a run that pauses
// anywhere shows a notification naming it; without the opt-in, none. Chromium's real
// Notification, recorded as it is constructed; the real Prefect server of the harness
// (FLOWGATE_CONSOLE_HARNESS).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
let harness, server, browser;

async function api(path, body) {
  const response = await fetch(`${harness.api_url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return response.json();
}

async function pause(name) {
  const flow = await api("/flows/", { name: "notify-gate" });
  const run = await api("/flow_runs/", { flow_id: flow.id, name });
  await api(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  await api(`/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused" }, force: true });
  return run.id;
}

before(async () => {
  harness = JSON.parse(readFileSync(process.env.FLOWGATE_CONSOLE_HARNESS, "utf8"));
  server = await serveConsole(join(repo, "dist"), harness.api_url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function backgroundTab(optIn) {
  const context = await browser.newContext();
  await context.grantPermissions(["notifications"], { origin: server.base });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__notes = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) { super(title, options); window.__notes.push({ title, body: options?.body, tag: options?.tag }); }
    };
    // The tab is in the background: the person is elsewhere.
    document.hasFocus = () => false;
  });
  await page.goto(`${server.base}/settings`);
  if (optIn) {
    await page.getByTestId("notify").check();
    await page.getByRole("button", { name: "Save" }).click();
    assert.equal(await page.getByTestId("notify-permission").count(), 0, "permission granted");
  }
  await page.goto(`${server.base}/`);
  await page.getByTestId("live-status").filter({ hasText: /^live$/ }).waitFor({ timeout: 30000 });
  return { context, page };
}

test("opted in, a run that pauses while the tab is in the background is notified by name", async () => {
  const { context, page } = await backgroundTab(true);
  const id = await pause("notify-me");
  await page.waitForFunction(() => window.__notes.length > 0, null, { timeout: 20000 });
  const [note] = await page.evaluate(() => window.__notes);
  assert.deepEqual(note, { title: "notify-me waits for you", body: "It paused (Paused). Click to decide.", tag: `/runs/${id}` });
  await api(`/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
  await context.close();
});

test("not opted in, nothing is notified", async () => {
  const { context, page } = await backgroundTab(false);
  const id = await pause("do-not-notify");
  await page.locator(`[data-run-id="${id}"]`).waitFor({ timeout: 20000 });
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.__notes), []);
  await api(`/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true });
  await context.close();
});
