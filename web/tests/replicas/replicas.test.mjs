// The console against Prefect scaled out: two API replicas on one PostgreSQL database with
// Redis between them (FLOWGATE_REPLICAS_HARNESS names the harness.json of a harness started
// with `--database postgres --replicas 2`). The console talks to the first replica; another
// client resumes through the second, as two people behind a load balancer would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveConsole } from "../support/console-server.mjs";
import { outcomeOf } from "../support/pages.mjs";
import { apiPost, readHarness, resumeTransitions, stateOf } from "../support/prefect.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const shots = join(repo, "target/test-output");

async function pausedIds(apiUrl) {
  const runs = await apiPost(apiUrl, "/flow_runs/filter", { flow_runs: { state: { type: { any_: ["PAUSED"] } } }, limit: 200 });
  return runs.map((r) => r.id).sort();
}

test("two replicas: the inbox read through one, runs resumed through either", async () => {
  const path = process.env.FLOWGATE_REPLICAS_HARNESS;
  assert.ok(path, "FLOWGATE_REPLICAS_HARNESS must name a running harness's harness.json");
  const harness = readHarness(path);
  assert.equal(harness.database, "postgres");
  assert.equal(harness.api_urls.length, 2);
  const [first, second] = harness.api_urls;
  await mkdir(shots, { recursive: true });
  const server = await serveConsole(join(repo, "dist"), first);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const rows = () => page.$$eval('[data-testid="inbox-row"]', (all) => all.map((r) => r.dataset.runId).sort());
    await page.goto(`${server.base}/`);
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    assert.deepEqual(await rows(), await pausedIds(second), "the inbox read through one replica is what the other serves");

    // Someone resumes a run through the other replica: after a refresh it has left the inbox.
    const elsewhere = harness.runs.plain[0];
    const answer = await apiPost(second, `/flow_runs/${elsewhere}/resume`, {});
    assert.equal(answer.status, "ACCEPT");
    await page.reload();
    await page.locator('[data-testid="inbox-row"]').first().waitFor({ timeout: 30000 });
    assert.deepEqual(await rows(), await pausedIds(second));
    assert.ok(!(await rows()).includes(elsewhere));

    // The console resumes through its replica; the other replica sees the real flow go on.
    const mine = harness.runs.plain[1];
    await page.goto(`${server.base}/runs/${mine}`);
    await page.getByTestId("verdict").filter({ hasText: "will be accepted" }).waitFor({ timeout: 30000 });
    await page.getByTestId("resume").click();
    assert.match(await outcomeOf(page), /^Resumed: the server set the run to Running\. Recorded as a Prefect event\.$/);
    await page.screenshot({ path: join(shots, "console-replicas-resumed.png"), fullPage: true });
    const deadline = Date.now() + 60000;
    const finished = new Set();
    while (finished.size < 2 && Date.now() < deadline) {
      for (const id of [elsewhere, mine]) if (await stateOf(second, id) === "COMPLETED") finished.add(id);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(finished.size, 2, "both paused flow processes went on to complete");
    const transitions = await resumeTransitions(second, [elsewhere, mine]);
    assert.deepEqual([...transitions.values()], [1, 1], "each was resumed exactly once");
  } finally {
    await browser.close();
    await server.close();
  }
});
