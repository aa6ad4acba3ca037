// Markup in every field Prefect lets a flow author or an API caller set — flow, deployment and
// run names, tags, parameters, labels, the state's name and message, the pause key, the
// run-input schema's titles, descriptions, property names, enum values, defaults and
// pattern, the input description (Markdown), a decider's name and a reject reason — is shown
// as text on every page that shows it: nothing runs, no element is made from it, no
// `javascript:` link is built. Release build in Chromium against the harness's real Prefect
// server (FLOWGATE_CONSOLE_HARNESS), under the Content-Security-Policy (a violation fails the
// file), but checked without relying on it.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api as apiOf, consoleSuite, shots } from "../support/e2e.mjs";

const suite = consoleSuite();
const api = (path, body) => apiOf(suite, path, body);

// Each sets window.__xss if it ever runs, and is numbered so each field's text is its own
// (and this file's run its own, on a server that keeps earlier runs).
const PAYLOADS = [
  `<img src=x onerror="window.__xss='img'">`,
  `<script>window.__xss='script'</script>`,
  `"><svg onload="window.__xss='svg'">`,
  `javascript:window.__xss='href'`,
  `<a href="javascript:window.__xss='a'">link</a>`,
  `<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>`,
  `{{constructor.constructor('window.__xss=1')()}}`,
];
const once = Date.now().toString(36);
let n = 0;
const payload = () => `${PAYLOADS[n % PAYLOADS.length]} #${n++}-${once}`;

const field = {};
let runId;

before(async () => {
  for (const name of ["flow", "deployment", "run", "tag1", "tag2", "paramKey", "paramValue", "label",
    "stateName", "stateMessage", "pauseKey", "schemaTitle", "schemaDescription", "propertyKey",
    "propertyTitle", "propertyDescription", "propertyDefault", "enumA", "enumB", "decider", "reason"]) {
    field[name] = payload();
  }
  // Prefect refuses <, >, &, % and / in flow and deployment names: theirs are attributes and
  // URLs instead.
  field.flow = `javascript:window.__xss='flow' " onfocus="window.__xss='flow-attr'`;
  field.deployment = `" autofocus onfocus="window.__xss='deployment' x="`;
  // A pattern is a regular expression: this one is markup and still a valid one.
  field.pattern = `^<b onmouseover="window.__xss='pattern'">.*$`;
  field.description = [
    "**Approve** the release. [a link](javascript:window.__xss='md-link') and",
    `[another](JaVaScRiPt:window.__xss='md-link2') and <img src=x onerror="window.__xss='md-img'">`,
    `<script>window.__xss='md-script'</script> ![alt text](javascript:window.__xss='md-image')`,
    "[the runbook](https://example.com/runbook)",
  ].join("\n");

  const flow = await api("/flows/", { name: field.flow });
  const deployment = await api("/deployments/", { name: field.deployment, flow_id: flow.id });
  const run = await api("/flow_runs/", {
    flow_id: flow.id, deployment_id: deployment.id, name: field.run, tags: [field.tag1, field.tag2],
    parameters: { [field.paramKey]: field.paramValue }, labels: { "flowgate.markup": field.label },
  });
  assert.ok(run.id, JSON.stringify(run));
  runId = run.id;
  const schema = {
    title: field.schemaTitle, description: field.schemaDescription, type: "object", required: [field.propertyKey],
    properties: {
      [field.propertyKey]: { title: field.propertyTitle, description: field.propertyDescription, type: "string",
        default: field.propertyDefault, pattern: field.pattern },
      choice: { enum: [field.enumA, field.enumB], default: field.enumA },
    },
  };
  const keys = { schema: "markup-schema", response: "markup-response", description: "markup-description" };
  await api(`/flow_runs/${runId}/input`, { key: keys.schema, value: JSON.stringify(schema) });
  await api(`/flow_runs/${runId}/input`, { key: keys.description, value: JSON.stringify(field.description) });
  await api(`/flow_runs/${runId}/set_state`, { state: { type: "RUNNING" }, force: true });
  const paused = await api(`/flow_runs/${runId}/set_state`, { force: true, state: {
    type: "PAUSED", name: field.stateName, message: field.stateMessage,
    state_details: { pause_timeout: new Date(Date.now() + 3600_000).toISOString(), pause_key: field.pauseKey,
      run_input_keyset: keys },
  } });
  assert.equal(paused.status, "ACCEPT", JSON.stringify(paused));
});

/** Nothing ran and nothing was made from the payloads: no handler attribute, no element of
 * theirs, no javascript: link, no dialog. */
async function inert(page, where, dialogs) {
  const found = await page.evaluate(() => {
    const all = [...document.querySelectorAll("*")];
    return {
      ran: window.__xss ?? null,
      handlers: all.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith("on")))
        .map((el) => el.outerHTML.slice(0, 120)),
      elements: [...document.querySelectorAll("img, svg, iframe, object, embed, script:not([src]), b[onmouseover]")]
        .map((el) => el.outerHTML.slice(0, 120)),
      links: [...document.querySelectorAll("a[href], area[href]")]
        .filter((a) => !["http:", "https:", "mailto:"].includes(new URL(a.href, location.href).protocol))
        .map((a) => a.outerHTML.slice(0, 120)),
    };
  });
  assert.deepEqual(found, { ran: null, handlers: [], elements: [], links: [] }, where);
  assert.deepEqual(dialogs, [], `${where}: a dialog opened`);
}

/** Each field's exact text is on the page (JSON-escaped where it is shown as JSON). */
async function shows(page, where, names) {
  const text = await page.evaluate(() => {
    // Text of the page, and the values of its form controls (defaults land in inputs).
    const values = [...document.querySelectorAll("input, textarea, select option")].map((el) => el.value ?? el.textContent);
    return `${document.body.innerText}\n${values.join("\n")}`;
  });
  for (const name of names) {
    // Parameters and labels show as JSON, where a quote is escaped.
    const shown = text.includes(field[name]) || text.includes(JSON.stringify(field[name]).slice(1, -1));
    assert.ok(shown, `${where}: the ${name} shows as text: ${field[name]}`);
  }
}

test("markup in every field is text on the inbox, all runs, the run page and its history", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1400, height: 1600 } });
  const dialogs = [];
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });

  await page.goto(`${suite.server.base}/settings`);
  await page.getByTestId("decider").fill(field.decider);
  await page.getByRole("button", { name: "Save" }).click();
  await inert(page, "settings", dialogs);

  await page.goto(`${suite.server.base}/`);
  await page.locator(`[data-run-id="${runId}"]`).waitFor({ timeout: 30000 });
  await inert(page, "inbox", dialogs);
  await shows(page, "inbox", ["run", "flow", "deployment", "tag1", "tag2", "pauseKey"]);

  await page.goto(`${suite.server.base}/runs?tag=${encodeURIComponent(field.tag1)}`);
  await page.getByTestId("runs-row").first().waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId("runs-row").count(), 1, "the tag filter finds the run");
  await inert(page, "all runs", dialogs);
  await shows(page, "all runs", ["run", "flow", "tag1", "stateName"]);

  await page.goto(`${suite.server.base}/runs/${runId}`);
  await page.getByTestId("description").waitFor({ timeout: 30000 });
  await page.getByTestId("history").waitFor({ timeout: 30000 });
  await inert(page, "run page", dialogs);
  await shows(page, "run page", ["run", "flow", "deployment", "tag1", "tag2", "paramKey", "paramValue", "label",
    "stateName", "stateMessage", "pauseKey", "schemaDescription", "propertyTitle",
    "propertyDescription", "propertyDefault", "enumA", "enumB"]);
  // The schema's own title is not shown (as in Prefect's UI); the inert check covers it.
  // The description is Markdown: bold and the https link are made; the rest is text.
  const description = page.getByTestId("description");
  assert.equal(await description.locator("strong").textContent(), "Approve");
  assert.deepEqual(await description.locator("a").evaluateAll((as) => as.map((a) => [a.textContent, a.href])),
    [["the runbook", "https://example.com/runbook"]]);
  const said = await description.textContent();
  for (const text of ["a link", "another", `<img src=x onerror="window.__xss='md-img'">`, "alt text"]) {
    assert.ok(said.includes(text), `the description shows ${text}`);
  }
  // The default fails the markup pattern; the verdict quotes it, as text.
  await page.getByTestId("verdict").waitFor();
  await inert(page, "run page with its verdict", dialogs);
  // The input as JSON names the property by its key.
  await page.getByRole("button", { name: "JSON", exact: true }).click();
  await inert(page, "run page, input as JSON", dialogs);
  await shows(page, "run page, input as JSON", ["propertyKey", "propertyDefault"]);

  // A reject with markup as its reason, recorded and shown in the history.
  await page.getByTestId("reject-reason").fill(field.reason);
  await page.getByTestId("reject").click();
  await page.locator('[data-testid="outcome"] [data-decision="reject"]').waitFor({ timeout: 45000 });
  await page.locator('[data-testid="history-decision"]').waitFor({ timeout: 30000 });
  await inert(page, "run page after the reject", dialogs);
  await shows(page, "history", ["decider", "reason"]);
  await page.screenshot({ path: join(shots, "console-markup.png"), fullPage: true });
  await page.close();
});
