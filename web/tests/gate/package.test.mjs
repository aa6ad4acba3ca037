// The npm package through a gate, in Node: a bot signed in at the gate's nginx (basic auth)
// reads what the policy says for it with `checkPolicy` — core's verdict in wasm, the same
// the gate enforces — then decides through the gate. Against the real Prefect server the
// harness started (FLOWGATE_GATE_HARNESS), two people's bots, the package's Node build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrefectClient, checkPolicy } from "flowgate";
import { pausedRunOf, readHarness, resumeTransitions } from "../support/prefect.mjs";
import { PEOPLE, SCHEMA, startGate, startGateProxy } from "../support/gate.mjs";

const harness = readHarness(process.env.FLOWGATE_GATE_HARNESS ?? assert.fail("FLOWGATE_GATE_HARNESS is not set"));
const apiUrl = harness.api_url;
const POLICY = `
[[rule]]
name = "pair"
tags = ["package-two"]
approvers = ["alice", "bob"]
approvals = 2

[default]
approvers = ["alice"]
`;

let gate;
let proxy;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-gate-package-"));
  writeFileSync(join(dir, "policy.toml"), POLICY);
  gate = await startGate({ apiUrl, policyPath: join(dir, "policy.toml"), secret: randomBytes(32).toString("hex"), id: "gate-1" });
  proxy = await startGateProxy({ apiUrl, gatePorts: [gate.port] });
});
after(async () => {
  await proxy?.close();
  await gate?.stop();
});

const bot = (user) => new PrefectClient({ apiUrl: `${proxy.base}/api`, auth: { basic: `${user}:${PEOPLE[user]}` } });

test("a bot finds the gate, is told what the policy says before sending, and approves 2 of 2 through it", async () => {
  const alice = bot("alice");
  const bob = bot("bob");
  assert.deepEqual((await alice.gate()).person, { user: "alice", groups: [] });
  assert.equal(await new PrefectClient({ apiUrl }).gate(), null, "no gate beside Prefect itself");

  const id = await pausedRunOf(apiUrl, `package-two-${Date.now()}`, { flow: "gate-package", tags: ["package-two"], schema: SCHEMA });
  const input = { approver: "alice" };
  const before = checkPolicy(await alice.gatePolicy(id), { runInput: input });
  assert.equal(before.message, "You may approve — 0 of 2 approvals so far.");
  assert.deepEqual(before.approve, { status: "allowed", completes: false });

  const first = await alice.approve(id, { runInput: input });
  assert.equal(first.outcome, "recorded");
  assert.deepEqual(first.approvers, ["alice"]);

  const other = checkPolicy(await bob.gatePolicy(id), { runInputJson: '{"approver": "bob"}' });
  assert.equal(other.approve.status, "refused");
  assert.equal(other.approve.refusal.kind, "differentInput");
  assert.deepEqual(other.approve.refusal.proposal, { input, approvers: ["alice"] });
  await assert.rejects(bob.approve(id, { runInput: { approver: "bob" } }), (err) =>
    err.kind === "gateRefused" && err.details.status === 409 &&
    err.message === 'alice approved a different input: {"approver":"alice"}. Approve that same input, or reject the run.');

  const same = checkPolicy(await bob.gatePolicy(id), { runInput: input });
  assert.equal(same.message, "You may approve — 1 of 2 approvals so far (alice); yours resumes the run.");
  const second = await bob.approve(id, { runInput: input });
  assert.equal(second.outcome, "resumed");
  assert.equal(second.result.status, "ACCEPT");
  assert.match(second.record.eventId, /^[0-9a-f-]{36}$/);
  assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 1);
});

test("refusals come as typed errors with the gate's words; bad arguments are refused before sending", async () => {
  const bob = bot("bob");
  const id = await pausedRunOf(apiUrl, `package-default-${Date.now()}`, { flow: "gate-package" });
  const verdict = checkPolicy(await bob.gatePolicy(id));
  assert.equal(verdict.message, "Only alice may approve this run.");
  await assert.rejects(bob.approve(id), (err) =>
    err.name === "FlowgateError" && err.kind === "gateRefused" && err.details.status === 403 &&
    err.details.reason === "forbidden" && err.message === "Only alice may approve this run.");
  await assert.rejects(bob.approve("not-an-id"), (err) => err.kind === "invalidArgument");
  await assert.rejects(bob.approve(id, { runInput: [1, 2] }), (err) => err.kind === "invalidArgument");
  await assert.rejects(bob.approve(id, { runinput: {} }), (err) => err.kind === "invalidArgument" && /runinput/.test(err.message));
  await assert.rejects(bob.gateReject(id, {}), (err) => err.kind === "parse" || err.kind === "invalidArgument");
  assert.throws(() => checkPolicy({ rules: "x" }), (err) => err.name === "FlowgateError");

  const alice = bot("alice");
  const outcomes = await alice.approveMany([id, crypto.randomUUID()]);
  assert.equal(outcomes.find((o) => o.flowRunId === id).answer.outcome, "resumed");
  const refused = outcomes.find((o) => o.flowRunId !== id).error;
  assert.ok(refused instanceof Error, "a bulk outcome's error is a FlowgateError, as resumeMany's");
  assert.equal(refused.kind, "gateRefused");
  assert.equal(refused.details.status, 404);
  const rejectable = await pausedRunOf(apiUrl, `package-reject-${Date.now()}`, { flow: "gate-package" });
  const rejected = await alice.gateReject(rejectable, { reason: "not today" });
  assert.equal(rejected.message, "Rejected by alice: not today");
});
