// Accessibility: axe-core (from npm) finds no violation on any page — the inbox, all runs,
// a run page with its form, with errors shown and with its history, settings, the rules
// page with its form, the shortcut list — in light and in dark. Release build in Chromium against the harness's real Prefect
// server (FLOWGATE_CONSOLE_HARNESS).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cancelRun, consoleSuite, pausedRun, repo } from "../support/e2e.mjs";

const axeSource = readFileSync(join(repo, "web/node_modules/axe-core/axe.min.js"), "utf8");
const suite = consoleSuite();
let runId;

before(async () => {
  const schema = { title: "Approval", type: "object", required: ["approver"], properties: {
    approver: { title: "Approver", type: "string", description: "Who signs off" },
    level: { enum: ["low", "high"], default: "low" }, count: { type: "integer", default: 1 },
    notify: { type: "boolean", default: true }, tags: { type: "array", items: { type: "string" } } } };
  runId = await pausedRun(suite, "a11y-run", { flow: "a11y-gate", schema });
});

after(async () => {
  if (runId) await cancelRun(suite, runId);
});

async function violations(page) {
  // Evaluated through the DevTools protocol: a <script> tag would be (rightly) refused by the
  // console's Content-Security-Policy.
  await page.evaluate(axeSource);
  return page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ["violations"] })).violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`));
}

for (const scheme of ["light", "dark"]) {
  test(`no axe violation on any page (${scheme})`, async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: scheme });
    const found = {};
    const check = async (name) => { found[name] = await violations(page); };

    await page.goto(`${suite.server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    await check("inbox");
    await page.keyboard.press("?");
    await page.getByTestId("shortcuts").waitFor();
    await check("shortcut list");
    await page.keyboard.press("Escape");

    await page.goto(`${suite.server.base}/runs`);
    await page.locator('[data-testid="runs-row"]').first().waitFor({ timeout: 30000 });
    await check("all runs");

    await page.goto(`${suite.server.base}/runs/${runId}`);
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

    await page.goto(`${suite.server.base}/settings`);
    await page.getByTestId("decider").waitFor({ timeout: 30000 });
    await check("settings");

    await page.goto(`${suite.server.base}/rules`);
    await page.getByTestId("new-rule").waitFor({ timeout: 30000 });
    await page.getByTestId("new-rule").click();
    await page.getByTestId("rule-flows").waitFor({ timeout: 30000 });
    await page.getByTestId("save-rule").click();
    await page.getByTestId("error-name").waitFor();
    await page.getByTestId("add-block").click();
    await check("rules, a new rule with an error and a new block");

    const bad = Object.entries(found).filter(([, v]) => v.length);
    assert.deepEqual(bad, [], bad.map(([name, v]) => `${name}:\n  ${v.join("\n  ")}`).join("\n"));
    await page.close();
  });
}
