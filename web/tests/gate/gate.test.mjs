// The gate in its deployment shape, against the real Prefect server the harness started
// (FLOWGATE_GATE_HARNESS): two gate replicas behind Debian's nginx with web/deploy/gate.conf,
// four people signed in from an htpasswd file. Every outcome is checked on Prefect itself
// (the run's state history, its stored input, the events stored), not only in the answers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiPost, pausedRunOf, readHarness, resumeTransitions } from "../support/prefect.mjs";
import { SCHEMA, startGate, startGateProxy, GATE_BIN } from "../support/gate.mjs";

const harness = readHarness(process.env.FLOWGATE_GATE_HARNESS ?? assert.fail("FLOWGATE_GATE_HARNESS is not set"));
const apiUrl = harness.api_url;

const POLICY = `
[groups]
release-managers = ["alice", "bob"]

[[rule]]
name = "simple"
tags = ["gate-simple"]
approvers = ["alice", "bob", "carol"]

[[rule]]
name = "restricted"
tags = ["gate-restricted"]
approvers = ["group:release-managers"]
rejecters = ["group:release-managers", "carol"]

[[rule]]
name = "two of three"
tags = ["gate-two"]
approvers = ["alice", "bob", "carol"]
approvals = 2

[default]
approvers = ["alice"]
`;

const dir = mkdtempSync(join(tmpdir(), "flowgate-gate-test-"));
const policyPath = join(dir, "policy.toml");
const secret = randomBytes(32).toString("hex");
let gates = [];
let proxy;
let as;

before(async () => {
  writeFileSync(policyPath, POLICY);
  gates = await Promise.all([1, 2].map((n) => startGate({ apiUrl, policyPath, secret, id: `gate-${n}` })));
  proxy = await startGateProxy({ apiUrl, gatePorts: gates.map((g) => g.port) });
  as = proxy.as;
});

after(async () => {
  await proxy?.close();
  await Promise.all(gates.map((g) => g.stop()));
});

let counter = 0;
const pausedRun = (tag, options = {}) =>
  pausedRunOf(apiUrl, `gate-${tag}-${++counter}-${Date.now()}`, { flow: "gate-suite", tags: [tag], ...options });

async function json(response) {
  const text = await response.text();
  try { return JSON.parse(text); } catch { return { text }; }
}

const post = (fetcher, path, body) => fetcher(path, { method: "POST", body: JSON.stringify(body) });
const approve = (user, id, runInput) => post(as(user), `/gate/flow_runs/${id}/approve`, runInput === undefined ? {} : { run_input: runInput });
const readRun = async (id) => (await fetch(`${apiUrl}/flow_runs/${id}`)).json();

/** A request straight to one gate replica, as the proxy would send it (from 127.0.0.1). */
const direct = (gate, user, path, body) => fetch(`${gate.url}${path}`, {
  method: body === undefined ? "GET" : "POST",
  headers: { "x-forwarded-user": user, "content-type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** The gate's records and decisions Prefect stored for a run, once `done(events)` holds. */
async function storedEvents(id, done) {
  let events = [];
  for (let i = 0; i < 80; i++) {
    const page = await apiPost(apiUrl, "/events/filter", { filter: {
      occurred: { since: new Date(Date.now() - 3600_000).toISOString(), until: new Date(Date.now() + 3600_000).toISOString() },
      event: { prefix: ["flowgate."] }, resource: { id: [`prefect.flow-run.${id}`] },
    }, limit: 50 });
    events = page.events;
    if (done(events)) return events;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`Prefect did not store the expected events for ${id}: ${JSON.stringify(events.map((e) => e.event))}`);
}

test("who you are comes from the proxy only: nginx asks for a sign-in, and the gate believes no one else", async () => {
  assert.equal((await fetch(`${proxy.base}/gate/capabilities`)).status, 401, "nginx: no credentials");
  const wrong = await fetch(`${proxy.base}/gate/capabilities`, { headers: { authorization: `Basic ${Buffer.from("alice:nope").toString("base64")}` } });
  assert.equal(wrong.status, 401);
  const me = await json(await as("carol")("/gate/capabilities", { headers: { "x-forwarded-user": "alice" } }));
  assert.deepEqual(me.person, { user: "carol", groups: [] }, "a header the browser sends is replaced by the one nginx sets");
  assert.match(me.gate, /^gate-[12]$/);

  // Straight to the gate: no header, 401; a header from an address that is no trusted proxy, 401.
  const bare = await fetch(`${gates[0].url}/gate/capabilities`);
  assert.equal(bare.status, 401);
  assert.match((await json(bare)).message, /The proxy sent no X-Forwarded-User header/);
  const untrusted = await new Promise((resolve, reject) => {
    const req = request(`${gates[0].url}/gate/capabilities`, { localAddress: "127.0.0.2", headers: { "x-forwarded-user": "alice" } }, (res) => {
      let body = "";
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(untrusted.status, 401);
  assert.match(untrusted.body.message, /127\.0\.0\.2 is not one/);
});

test("the proxy lets people read Prefect but refuses their direct state changes; flows on the internal address are untouched", async () => {
  const id = await pausedRun("gate-simple");
  const alice = as("alice");
  assert.equal((await alice(`/api/flow_runs/${id}`)).status, 200, "reads go through");
  assert.equal((await post(alice, "/api/flow_runs/filter", { limit: 1 })).status, 200, "filters go through");
  for (const [path, body] of [
    [`/api/flow_runs/${id}/resume`, {}],
    [`/api/flow_runs/${id}/set_state`, { state: { type: "CANCELLED" }, force: true }],
    ["/api/events", [{ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: "flowgate.gate.approved", resource: { "prefect.resource.id": `prefect.flow-run.${id}` }, payload: { user: "alice" } }]],
    ["/api/flow_runs/", { flow_id: crypto.randomUUID() }],
  ]) {
    const refused = await post(alice, path, body);
    assert.equal(refused.status, 403, path);
    assert.match((await json(refused)).detail, /go through the Flowgate gate/);
  }
  assert.equal((await alice(`/api/flow_runs/${id}`, { method: "DELETE" })).status, 403);
  assert.equal((await readRun(id)).state.type, "PAUSED", "nothing the proxy refused reached Prefect");
});

test("an allowed person approves and the run resumes once, recorded with the identity the gate checked", async () => {
  const id = await pausedRun("gate-simple");
  const answer = await approve("carol", id);
  const body = await json(answer);
  assert.equal(answer.status, 200, JSON.stringify(body));
  assert.equal(body.outcome, "resumed");
  assert.equal(body.result.status, "ACCEPT");
  assert.deepEqual(body.approvers, ["carol"]);
  assert.equal((await readRun(id)).state.type, "RUNNING");
  assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 1);
  const events = await storedEvents(id, (e) => e.some((x) => x.event === "flowgate.decision.resumed"));
  const decision = events.find((x) => x.event === "flowgate.decision.resumed");
  assert.equal(decision.payload.decider, "carol");
  assert.equal(decision.payload.decider_checked, true);
  assert.match(decision.payload.checked_by, /^gate-[12]$/);
  assert.match(decision.payload.signature, /^[0-9a-f]{64}$/);

  const again = await approve("alice", id);
  assert.equal(again.status, 409, "too late: the run is no longer paused");
  assert.match((await json(again)).message, /is no longer paused \(it is Running\); nothing was decided\./);
});

test("a person the policy does not name is refused with the reason, and nothing reaches Prefect", async () => {
  const id = await pausedRun("gate-restricted");
  const policy = await json(await as("carol")(`/gate/flow_runs/${id}/policy`));
  assert.deepEqual(policy.rules.map((r) => r.name), ["restricted"]);
  assert.deepEqual(policy.person, { user: "carol", groups: [] });
  assert.deepEqual(Object.keys(policy.groups), ["release-managers"]);

  const lines = await json(await post(as("carol"), "/gate/flow_runs/policy", { ids: [id, crypto.randomUUID()] }));
  assert.deepEqual(lines.verdicts, [{ flowRunId: id, message: "Only release-managers may approve this run.", mayApprove: false, mayReject: true }]);

  const refused = await approve("carol", id);
  assert.equal(refused.status, 403);
  const body = await json(refused);
  assert.equal(body.message, "Only release-managers may approve this run.");
  assert.equal(body.verdict.approve.refusal.kind, "notAllowed");
  const dave = await post(as("dave"), `/gate/flow_runs/${id}/reject`, { reason: "not mine to stop" });
  assert.equal(dave.status, 403);
  assert.equal((await json(dave)).message, "Only release-managers or carol may reject this run.");
  assert.equal((await readRun(id)).state.type, "PAUSED");
  assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 0);

  // carol may reject it: the run ends Cancelled with her checked name in its message.
  const rejected = await post(as("carol"), `/gate/flow_runs/${id}/reject`, { reason: "wrong release train" });
  const outcome = await json(rejected);
  assert.equal(rejected.status, 200, JSON.stringify(outcome));
  assert.equal(outcome.message, "Rejected by carol: wrong release train");
  const run = await readRun(id);
  assert.equal(run.state.type, "CANCELLED");
  const events = await storedEvents(id, (e) => e.some((x) => x.event === "flowgate.decision.rejected"));
  assert.equal(events.find((x) => x.event === "flowgate.decision.rejected").payload.decider_checked, true);
});

test("four-eyes: whoever started the run through the gate, or whom its label names, cannot approve it", async () => {
  const flow = await apiPost(apiUrl, "/flows/", { name: "gate-requested" });
  const deployment = await apiPost(apiUrl, "/deployments/", { name: "release", flow_id: flow.id });
  const started = await post(as("alice"), `/gate/deployments/${deployment.id}/create_flow_run`, { tags: ["gate-simple"] });
  assert.equal(started.status, 201);
  const { id } = await json(started);
  await pausedRunOf(apiUrl, "requested", { runId: id });
  await storedEvents(id, (e) => e.some((x) => x.event === "flowgate.gate.requested"));
  const own = await approve("alice", id);
  assert.equal(own.status, 403);
  assert.equal((await json(own)).message, "You requested this run; someone else must approve it.");
  assert.equal((await approve("bob", id)).status, 200);
  assert.equal((await readRun(id)).state.type, "RUNNING");

  const labelled = await pausedRun("gate-simple", { labels: { "flowgate.requester": "bob" } });
  assert.equal((await approve("bob", labelled)).status, 403);
  assert.equal((await approve("carol", labelled)).status, 200);
});

test("2 of 3 with input: one approval waits as 1 of 2, another input is refused with the first shown, the second approval resumes once", async () => {
  const name = `gate-two-input-${Date.now()}`;
  const id = await pausedRunOf(apiUrl, name, { flow: "gate-suite", tags: ["gate-two"], schema: SCHEMA });
  const input = { approver: "alice", count: 2 };
  const first = await approve("alice", id, input);
  const recorded = await json(first);
  assert.equal(first.status, 200, JSON.stringify(recorded));
  assert.equal(recorded.outcome, "recorded");
  assert.equal(recorded.needed, 2);
  assert.deepEqual(recorded.approvers, ["alice"]);
  assert.equal(recorded.message, "You already approved this run — 1 of 2 approvals so far (alice).");
  assert.equal((await readRun(id)).state.type, "PAUSED");

  const seen = await json(await as("bob")(`/gate/flow_runs/${id}/policy`));
  assert.deepEqual(seen.approvals.map((a) => a.user), ["alice"]);

  const twice = await approve("alice", id, input);
  assert.equal(twice.status, 409);
  assert.equal((await json(twice)).message, "You already approved this run — 1 of 2 approvals so far (alice).");

  const other = await approve("carol", id, { approver: "carol" });
  assert.equal(other.status, 409);
  assert.equal((await json(other)).message,
    'alice approved a different input: {"approver":"alice","count":2}. Approve that same input, or reject the run.');

  // The same input with its keys in another order is the same input.
  const second = await approve("bob", id, { count: 2, approver: "alice" });
  const done = await json(second);
  assert.equal(second.status, 200, JSON.stringify(done));
  assert.equal(done.outcome, "resumed");
  assert.deepEqual(done.approvers, ["alice", "bob"]);
  assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 1);
  // Prefect stored the input the gate resumed with, as sent.
  const stored = await fetch(`${apiUrl}/flow_runs/${id}/input/${name}-response`);
  assert.equal(stored.status, 200);
  assert.deepEqual(JSON.parse(await stored.text()), input);

  const third = await approve("carol", id, input);
  assert.equal(third.status, 409, "a third approval is too late");
});

test("input Prefect would refuse is refused first, in Prefect's own words, and no approval is recorded", async () => {
  const id = await pausedRun("gate-two", { schema: SCHEMA });
  const twin = await pausedRun("gate-two", { schema: SCHEMA });
  const refused = await approve("alice", id, { count: 1 });
  assert.equal(refused.status, 422);
  const message = (await json(refused)).message;
  const prefect = await apiPost(apiUrl, `/flow_runs/${twin}/resume`, { run_input: { count: 1 } });
  assert.equal(prefect.status, "REJECT");
  assert.equal(message, `Prefect would refuse this resume (REJECT): ${prefect.details.reason}`);
  const case_ = await json(await as("bob")(`/gate/flow_runs/${id}/policy`));
  assert.deepEqual(case_.approvals, []);
});

test("bad requests get clear errors: ids, bodies, unknown runs, reasons", async () => {
  const alice = as("alice");
  const id = await pausedRun("gate-two", { schema: SCHEMA });
  const cases = [
    [await post(alice, "/gate/flow_runs/not-a-uuid/approve", {}), 400, /"not-a-uuid" is not a flow run id/],
    [await post(alice, `/gate/flow_runs/${crypto.randomUUID()}/approve`, {}), 404, /was not found/],
    [await alice(`/gate/flow_runs/${id}/approve`, { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }), 400, /The body is not what this route takes/],
    [await post(alice, `/gate/flow_runs/${id}/approve`, { run_input: [1, 2] }), 400, /run_input must be a JSON object, not an array/],
    [await post(alice, `/gate/flow_runs/${id}/approve`, { runInput: {} }), 400, /unknown field `runInput`/],
    [await post(alice, `/gate/flow_runs/${id}/reject`, { reason: "  " }), 400, /A reject needs a reason/],
    [await post(alice, `/gate/flow_runs/${id}/reject`, {}), 400, /missing field `reason`/],
    [await alice("/gate/nowhere"), 404, /no such route/],
  ];
  for (const [response, status, message] of cases) {
    const body = await json(response);
    assert.equal(response.status, status, JSON.stringify(body));
    assert.match(body.message, message);
  }
  const huge = await post(alice, `/gate/flow_runs/${id}/approve`, { run_input: { approver: "x".repeat(2 * 1024 * 1024) } });
  assert.equal(huge.status, 413, "nginx refuses a body over 1 MiB");
  assert.equal((await readRun(id)).state.type, "PAUSED");
});

test("a bulk approval: each run its own outcome, the allowed resumed once, the refused untouched, records in one batch", async () => {
  const simple = [await pausedRun("gate-simple"), await pausedRun("gate-simple")];
  const restricted = await pausedRun("gate-restricted");
  const asksInput = await pausedRun("gate-simple", { schema: SCHEMA });
  const unknown = crypto.randomUUID();
  const response = await post(as("carol"), "/gate/flow_runs/approve", { ids: [...simple, restricted, asksInput, unknown, simple[0]] });
  const body = await json(response);
  assert.equal(response.status, 200, JSON.stringify(body));
  const of = (id) => body.outcomes.find((o) => o.flowRunId === id);
  assert.equal(body.outcomes.length, 5, "a run named twice is decided once");
  for (const id of simple) {
    assert.equal(of(id).approval.outcome, "resumed", JSON.stringify(of(id)));
    assert.match(of(id).approval.record.eventId, /^[0-9a-f-]{36}$/);
  }
  assert.deepEqual(of(restricted).error, { status: 403, error: "forbidden", message: "Only release-managers may approve this run." });
  assert.equal(of(asksInput).error.status, 422);
  assert.match(of(asksInput).error.message, /^Prefect would refuse this resume \(REJECT\): Reason: Validation failed/);
  assert.equal(of(unknown).error.status, 404);
  const counts = await resumeTransitions(apiUrl, [...simple, restricted, asksInput]);
  assert.deepEqual([...simple, restricted, asksInput].map((id) => counts.get(id)), [1, 1, 0, 0]);
  for (const id of simple) await storedEvents(id, (e) => e.some((x) => x.event === "flowgate.decision.resumed" && x.payload.decider === "carol"));
  const tooMany = await post(as("carol"), "/gate/flow_runs/approve", { ids: Array.from({ length: 1001 }, () => crypto.randomUUID()) });
  assert.equal(tooMany.status, 400);
  assert.match((await json(tooMany)).message, /at most 1000 runs; this one names 1001/);
});

test("two replicas each take one of the two final approvals at the same moment: exactly one resume", async () => {
  for (let round = 0; round < 3; round++) {
    const id = await pausedRun("gate-two");
    const both = await Promise.all([
      direct(gates[0], "alice", `/gate/flow_runs/${id}/approve`, {}),
      direct(gates[1], "bob", `/gate/flow_runs/${id}/approve`, {}),
    ]);
    const outcomes = await Promise.all(both.map(json));
    for (const [i, r] of both.entries()) assert.equal(r.status, 200, JSON.stringify(outcomes[i]));
    assert.ok(outcomes.some((o) => o.outcome === "resumed"), JSON.stringify(outcomes));
    assert.equal((await readRun(id)).state.type, "RUNNING");
    assert.equal((await resumeTransitions(apiUrl, [id])).get(id), 1, `round ${round}: ${JSON.stringify(outcomes)}`);
  }
});

test("a gate killed between two approvals and started again loses nothing: the first approval still counts", async () => {
  const id = await pausedRun("gate-two");
  assert.equal((await json(await direct(gates[0], "alice", `/gate/flow_runs/${id}/approve`, {}))).outcome, "recorded");
  const port = gates[0].port;
  await gates[0].stop("SIGKILL");
  gates[0] = await startGate({ apiUrl, policyPath, secret, id: "gate-1", port });
  const second = await json(await direct(gates[0], "carol", `/gate/flow_runs/${id}/approve`, {}));
  assert.equal(second.outcome, "resumed", JSON.stringify(second));
  assert.deepEqual(second.approvers, ["alice", "carol"]);
  // A gate with another secret counts no record of these: it cannot be fooled into it either.
  const stranger = await startGate({ apiUrl, policyPath, secret: randomBytes(32).toString("hex"), id: "stranger" });
  try {
    const other = await pausedRun("gate-two");
    await direct(gates[1], "alice", `/gate/flow_runs/${other}/approve`, {});
    const seen = await json(await direct(stranger, "bob", `/gate/flow_runs/${other}/policy`));
    assert.deepEqual(seen.approvals, []);
  } finally {
    await stranger.stop();
  }
});

test("the policy reloads on SIGHUP and on change; a broken file keeps the one in force", async () => {
  const id = await pausedRun("gate-restricted");
  writeFileSync(policyPath, POLICY.replace('approvers = ["group:release-managers"]', 'approvers = ["dave"]'));
  for (const g of gates) g.child.kill("SIGHUP");
  let message;
  for (let i = 0; i < 40; i++) {
    message = (await json(await approve("alice", id))).message;
    if (message === "Only dave may approve this run.") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(message, "Only dave may approve this run.");
  writeFileSync(policyPath, `${POLICY}\n[[rule]]\nname = "broken"\napprovers = ["group:nobody"]\n`);
  for (const g of gates) g.child.kill("SIGHUP");
  await new Promise((r) => setTimeout(r, 1500));
  for (const g of gates) assert.match(g.log(), /line \d+: rule "broken" names the group "nobody", which \[groups\] does not define/);
  assert.equal((await json(await approve("alice", id))).message, "Only dave may approve this run.", "the one in force stays");
  writeFileSync(policyPath, POLICY);
  for (const g of gates) g.child.kill("SIGHUP");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await approve("alice", id)).status, 200);
});

test("a gate refuses to start on a bad policy file or setting, naming the line or the setting", async () => {
  const bad = join(dir, "bad.toml");
  writeFileSync(bad, '[[rule]]\nname = "r"\napprovers = ["a"]\napprovals = 3\n');
  for (const [env, says] of [
    [{ FLOWGATE_GATE_POLICY: bad }, 'line 4: rule "r" needs 3 approvals but only 1 may approve (a)'],
    [{ FLOWGATE_GATE_SECRET: "short" }, "it must be at least 32"],
  ]) {
    const child = spawn(GATE_BIN, [], {
      env: { FLOWGATE_GATE_PREFECT_API: apiUrl, FLOWGATE_GATE_POLICY: policyPath, FLOWGATE_GATE_SECRET: secret, FLOWGATE_GATE_LISTEN: "127.0.0.1:0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c) => { stderr += c; });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 1);
    assert.ok(stderr.includes(says), stderr);
  }
});

test("a real flow paused for input is resumed through the gate and completes", async () => {
  assert.ok(existsSync(harness.flows), harness.flows);
  const idFile = join(dir, "flow.id");
  const child = spawn(harness.python, [harness.flows, "input", idFile, "600"], {
    env: { ...process.env, PREFECT_API_URL: apiUrl, PREFECT_LOGGING_LEVEL: "WARNING" },
    stdio: "ignore",
    detached: true,
  });
  try {
    let id;
    for (let i = 0; i < 600 && !id; i++) {
      if (existsSync(idFile)) id = readFileSync(idFile, "utf8").trim();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(id, "the flow wrote its run id");
    let run;
    for (let i = 0; i < 600; i++) {
      run = await readRun(id);
      if (run.state?.type === "PAUSED") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Its pause is governed by the default rule: alice alone.
    const input = { approver: "alice", address: { city: "Lyon" } };
    let answer;
    for (let i = 0; i < 50; i++) {
      answer = await approve("alice", id, input);
      if (answer.status !== 422) break;
      // The schema is stored a moment after the pause.
      await new Promise((r) => setTimeout(r, 200));
    }
    const body = await json(answer);
    assert.equal(answer.status, 200, JSON.stringify(body));
    for (let i = 0; i < 300; i++) {
      run = await readRun(id);
      if (run.state.type === "COMPLETED") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(run.state.type, "COMPLETED", "the flow carried on after the pause and finished");
  } finally {
    try { process.kill(-child.pid, "SIGKILL"); } catch {}
  }
});
