// The console behind the gate, in Debian's Chromium: the release build (dist/) served by
// nginx with web/deploy/gate.conf, people signed in by nginx, a gate replica and the real
// Prefect server the harness started (FLOWGATE_GATE_HARNESS). Before anything is sent, the
// run page says what the gate's policy says for the person signed in — core's verdict, in
// wasm — and its buttons follow it; decisions go through the gate. Screenshots go to
// target/test-output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { pausedRunOf, readHarness, resumeTransitions } from "../support/prefect.mjs";
import { PEOPLE, SCHEMA, startGate, startGateProxy } from "../support/gate.mjs";
import { RunPage, watchStateChanges } from "../support/pages.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const dist = join(repo, "dist");
const shots = join(repo, "target/test-output");
const harness = readHarness(process.env.FLOWGATE_GATE_HARNESS ?? assert.fail("FLOWGATE_GATE_HARNESS is not set"));
const apiUrl = harness.api_url;

const POLICY = `
[groups]
release-managers = ["alice", "bob"]

[[rule]]
name = "restricted"
tags = ["console-restricted"]
approvers = ["group:release-managers"]
rejecters = ["group:release-managers", "carol"]

[[rule]]
name = "two of three"
tags = ["console-two"]
approvers = ["alice", "bob", "carol"]
approvals = 2

[default]
approvers = ["*"]
`;

let gate;
let proxy;
let browser;

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "dist/ is missing: scripts/build-console.sh");
  const dir = mkdtempSync(join(tmpdir(), "flowgate-gate-console-"));
  writeFileSync(join(dir, "policy.toml"), POLICY);
  gate = await startGate({ apiUrl, policyPath: join(dir, "policy.toml"), secret: randomBytes(32).toString("hex"), id: "gate-1" });
  proxy = await startGateProxy({ apiUrl, gatePorts: [gate.port], dist });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await gate?.stop();
});

/** A page signed in as `user` (nginx's basic auth), recording what it sends to Prefect. */
async function pageAs(user) {
  const context = await browser.newContext({
    httpCredentials: { username: user, password: PEOPLE[user] },
    viewport: { width: 1200, height: 1500 },
  });
  const page = await context.newPage();
  page.sentToPrefect = watchStateChanges(page);
  return page;
}

const runPage = (page, id, input) => RunPage.open(page, proxy.base, id, { input });

async function policyLine(page, expected) {
  const line = page.getByTestId("policy-line");
  await line.waitFor({ timeout: 30000 });
  await page.waitForFunction((t) => document.querySelector('[data-testid="policy-line"]')?.textContent === t, expected, { timeout: 10000 })
    .catch(() => {});
  assert.equal(await line.textContent(), expected);
}

test("the run page says who may decide before anything is sent, and its buttons follow the policy", async () => {
  const id = await pausedRunOf(apiUrl, `console-restricted-${Date.now()}`, { flow: "gate-console", tags: ["console-restricted"] });
  const carol = await pageAs("carol");
  await runPage(carol, id);
  assert.equal(await carol.getByTestId("gate-person").textContent(), "Signed in as carol");
  await policyLine(carol, "Only release-managers may approve this run.");
  assert.equal(await carol.getByTestId("resume").isDisabled(), true);
  await carol.getByTestId("reject-reason").fill("wrong train");
  assert.equal(await carol.getByTestId("reject-message").textContent(), "The run's state message will read: Rejected by carol: wrong train");
  assert.equal(await carol.getByTestId("reject-policy").count(), 0, "carol may reject");
  assert.equal(await carol.getByTestId("reject").isDisabled(), false);
  await carol.screenshot({ path: join(shots, "gate-run-refused.png"), fullPage: true });

  const dave = await pageAs("dave");
  await runPage(dave, id);
  await policyLine(dave, "Only release-managers may approve this run.");
  await dave.getByTestId("reject-reason").fill("mine to stop");
  assert.equal(await dave.getByTestId("reject-policy").textContent(), "Only release-managers or carol may reject this run.");
  assert.equal(await dave.getByTestId("reject").isDisabled(), true);

  // carol rejects through the gate: the run ends Cancelled with her checked name.
  await carol.getByTestId("reject").click();
  await carol.getByTestId("outcome").getByText(/^Rejected: the server set the run to Cancelled/).waitFor({ timeout: 30000 });
  assert.match(await carol.getByTestId("outcome").textContent(), /Rejected by carol: wrong train.*with the identity the gate checked/);
  assert.deepEqual(carol.sentToPrefect, [], "nothing went to Prefect's state endpoints");
  const run = await (await fetch(`${apiUrl}/flow_runs/${id}`)).json();
  assert.equal(run.state.type, "CANCELLED");
  await carol.context().close();
  await dave.context().close();
});

test("2 of 3 in the console: 1 of 2 shown after the first approval, a different input refused before sending, the second resumes once", async () => {
  const name = `console-two-${Date.now()}`;
  const id = await pausedRunOf(apiUrl, name, { flow: "gate-console", tags: ["console-two"], schema: SCHEMA });
  const input = { approver: "alice", count: 2 };

  const alice = await pageAs("alice");
  await runPage(alice, id, input);
  await policyLine(alice, "You may approve — 0 of 2 approvals so far.");
  assert.equal(await alice.getByTestId("resume").textContent(), "Approve");
  await alice.getByTestId("resume").click();
  await alice.getByTestId("outcome").getByText(/^Your approval is recorded/).waitFor({ timeout: 30000 });
  assert.equal(await alice.getByTestId("outcome").textContent(),
    "Your approval is recorded: 1 of 2 so far (alice). The run stays paused until 2 people approve the same input.");
  await policyLine(alice, "You already approved this run — 1 of 2 approvals so far (alice).");
  assert.equal(await alice.getByTestId("resume").isDisabled(), true);
  await alice.screenshot({ path: join(shots, "gate-run-one-of-two.png"), fullPage: true });
  assert.equal((await (await fetch(`${apiUrl}/flow_runs/${id}`)).json()).state.type, "PAUSED");

  const bob = await pageAs("bob");
  await runPage(bob, id, { approver: "bob" });
  await policyLine(bob, 'alice approved a different input: {"approver":"alice","count":2}. Approve that same input, or reject the run.');
  assert.equal(await bob.getByTestId("resume").isDisabled(), true);

  await runPage(bob, id, input);
  await policyLine(bob, "You may approve — 1 of 2 approvals so far (alice); yours resumes the run.");
  assert.equal(await bob.getByTestId("resume").textContent(), "Approve and resume");
  await bob.getByTestId("resume").click();
  await bob.getByTestId("outcome").getByText(/^Resumed/).waitFor({ timeout: 30000 });
  assert.match(await bob.getByTestId("outcome").textContent(), /^Resumed: the server set the run to Running\. Approved by alice and bob\. Recorded as a Prefect event, with the identity the gate checked\.$/);
  assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 1);
  // The history names the person the gate checked, once Prefect has stored the record.
  await bob.getByTestId("history-decision").first().waitFor({ timeout: 30000 });
  assert.equal(await bob.getByTestId("history-decision").first().locator(".message").textContent(),
    "Resumed by bob through the gate (identity checked by gate-1), approved by alice and bob — with input");
  await bob.screenshot({ path: join(shots, "gate-run-resumed.png"), fullPage: true });
  assert.deepEqual([...alice.sentToPrefect, ...bob.sentToPrefect], []);
  await alice.context().close();
  await bob.context().close();
});

test("the inbox says on each row what the policy says for the person signed in", async () => {
  const stamp = Date.now();
  const restricted = await pausedRunOf(apiUrl, `console-inbox-restricted-${stamp}`, { flow: "gate-console", tags: ["console-restricted"] });
  const open = await pausedRunOf(apiUrl, `console-inbox-open-${stamp}`, { flow: "gate-console" });
  const rowPolicy = (page, id) => page.locator(`[data-testid="inbox-row"][data-run-id="${id}"] [data-testid="row-policy"]`);
  const carol = await pageAs("carol");
  await carol.goto(`${proxy.base}/`);
  await carol.waitForFunction((id) => document.querySelector(`[data-run-id="${id}"] [data-testid="row-policy"]`)?.textContent, restricted, { timeout: 30000 });
  assert.equal(await rowPolicy(carol, restricted).textContent(), "Only release-managers may approve this run.");
  assert.equal(await rowPolicy(carol, restricted).getAttribute("class"), "row-note refused");
  assert.equal(await rowPolicy(carol, open).textContent(), "You may approve this run.");
  assert.equal(await rowPolicy(carol, open).getAttribute("class"), "row-note");
  await carol.screenshot({ path: join(shots, "gate-inbox.png") });
  // The same rows, for someone the policy lets approve both.
  const alice = await pageAs("alice");
  await alice.goto(`${proxy.base}/`);
  await alice.waitForFunction((id) => document.querySelector(`[data-run-id="${id}"] [data-testid="row-policy"]`)?.textContent, restricted, { timeout: 30000 });
  assert.equal(await rowPolicy(alice, restricted).textContent(), "You may approve this run.");
  assert.deepEqual([...carol.sentToPrefect, ...alice.sentToPrefect], [], "nothing was sent");
  await carol.context().close();
  await alice.context().close();
});

test("four-eyes in the console: the requester is told before sending that someone else must approve", async () => {
  const id = await pausedRunOf(apiUrl, `console-requested-${Date.now()}`, {
    flow: "gate-console", labels: { "flowgate.requester": "alice", "flowgate.four_eyes": "true" },
  });
  const alice = await pageAs("alice");
  await runPage(alice, id);
  await policyLine(alice, "You requested this run; someone else must approve it.");
  assert.equal(await alice.getByTestId("resume").isDisabled(), true);
  const carol = await pageAs("carol");
  await runPage(carol, id);
  await policyLine(carol, "You may approve this run.");
  await carol.getByTestId("resume").click();
  await carol.getByTestId("outcome").getByText(/^Resumed/).waitFor({ timeout: 30000 });
  await alice.context().close();
  await carol.context().close();
});

test("the policy's verdict is code of its own, fetched with a gate: when it cannot be fetched the page says so, sends nothing, and Try again loads it", async () => {
  const id = await pausedRunOf(apiUrl, `console-restricted-chunk-${Date.now()}`, { flow: "gate-console", tags: ["console-restricted"] });
  const alice = await pageAs("alice");
  const isPolicyChunk = (url) => /\/split_policy-[0-9a-f]{16}\.wasm$/.test(new URL(url).pathname);
  let refuse = true;
  let asked = 0;
  await alice.route((url) => isPolicyChunk(url.href), (route) => {
    asked++;
    return refuse ? route.abort("connectionreset") : route.continue();
  });
  await runPage(alice, id);
  const line = alice.getByTestId("policy-line");
  await line.filter({ hasText: "What the gate's policy says cannot be shown: the code of the gate's policy verdict could not be fetched" }).waitFor({ timeout: 30000 });
  assert.equal(await alice.getByTestId("resume").isDisabled(), true, "nothing is sent while the policy is not known");
  refuse = false;
  await alice.getByTestId("try-again").click();
  await policyLine(alice, "You may approve this run.");
  assert.equal(await alice.getByTestId("resume").isDisabled(), false);
  assert.ok(asked >= 2, `fetched again on Try again (${asked})`);
  assert.deepEqual(alice.sentToPrefect, []);
  await alice.context().close();
});
