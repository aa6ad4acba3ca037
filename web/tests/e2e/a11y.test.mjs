// Accessibility: axe-core (from npm) finds no violation on any page — the inbox, all runs,
// a run page with its form, with errors shown and with its history, settings, the shortcut
// list — in light and in dark. Release build in Chromium against the harness's real Prefect
// server (FLOWGATE_CONSOLE_HARNESS).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const axePath = join(repo, "web/node_modules/axe-core/axe.min.js");
let harness, server, browser, runId;

async function api(path, body) {
  const response = await fetch(`${harness.api_url}${path}`, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

before(async () => {
  harness = JSON.parse(readFileSync(process.env.FLOWGATE_CONSOLE_HARNESS, "utf8"));
  server = await serveConsole(join(repo, "dist"), harness.api_url);
  browser = await launchChromium();
  const flow = await api("/flows/", { name: "a11y-gate" });
  const run = await api("/flow_runs/", { flow_id: flow.id, name: "a11y-run" });
  runId = run.id;
  const schema = { title: "Approval", type: "object", required: ["approver"], properties: {
    approver: { title: "Approver", type: "string", description: "Who signs off" },
    level: { enum: ["low", "high"], default: "low" }, count: { type: "integer", default: 1 },
    notify: { type: "boolean", default: true }, tags: { type: "array", items: { type: "string" } } } };
  await api(`/flow_runs/${runId}/input`, { key: "a11y-schema", value: JSON.stringify(schema) });
  await api(`/flow_runs/${runId}/set_state`, { state: { type: "RUNNING" }, force: true });
  await api(`/flow_runs/${runId}/set_state`, { state: { type: "PAUSED", name: "Paused", state_details: {
    pause_timeout: new Date(Date.now() + 3600_000).toISOString(), pause_key: "a11y",
    run_input_keyset: { schema: "a11y-schema", response: "a11y-response", description: "a11y-description" } } }, force: true });
});

after(async () => {
  if (runId) await api(`/flow_runs/${runId}/set_state`, { state: { type: "CANCELLED" }, force: true });
  await browser?.close();
  await server?.close();
});

async function violations(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ["violations"] })).violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`));
}

for (const scheme of ["light", "dark"]) {
  test(`no axe violation on any page (${scheme})`, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: scheme });
    const found = {};
    const check = async (name) => { found[name] = await violations(page); };

    await page.goto(`${server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    await check("inbox");
    await page.keyboard.press("?");
    await page.getByTestId("shortcuts").waitFor();
    await check("shortcut list");
    await page.keyboard.press("Escape");

    await page.goto(`${server.base}/runs`);
    await page.locator('[data-testid="runs-row"]').first().waitFor({ timeout: 30000 });
    await check("all runs");

    await page.goto(`${server.base}/runs/${runId}`);
    await page.getByTestId("reject-panel").waitFor({ timeout: 30000 });
    await page.getByTestId("history").locator("li").first().waitFor({ timeout: 30000 });
    await check("run page with its form and history");
    await page.getByTestId("mode-json").click();
    await page.getByTestId("run-input").fill('{"count": "abc"}');
    await page.getByTestId("verdict").filter({ hasText: "will be rejected" }).waitFor();
    await check("run page, JSON with errors");
    await page.getByTestId("mode-json").click();
    await page.getByTestId("mode-form").click();
    await check("run page, form with errors");

    await page.goto(`${server.base}/settings`);
    await page.getByTestId("decider").waitFor({ timeout: 30000 });
    await check("settings");

    const bad = Object.entries(found).filter(([, v]) => v.length);
    assert.deepEqual(bad, [], bad.map(([name, v]) => `${name}:\n  ${v.join("\n  ")}`).join("\n"));
    await page.close();
  });
}
