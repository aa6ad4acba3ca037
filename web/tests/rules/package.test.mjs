// Rules from the npm package, in Node, against a real Prefect server whose triggers and
// actions services run (FLOWGATE_RULES_HARNESS: the harness started with --automations). A
// custom-webhook block posts to a sink on loopback; runs pause for real (a flow process, or
// the server's own state change), and Prefect's engine does the rest.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrefectClient, defaultMessage, planRules } from "flowgate";
import { apiPost, apiRequest, pausedRunOf, readHarness } from "../support/prefect.mjs";
import { startSink } from "../support/sink.mjs";
import { startFaultProxy } from "../support/fault-proxy.mjs";
import { SCHEMA } from "../support/gate.mjs";

const harness = readHarness(process.env.FLOWGATE_RULES_HARNESS ?? assert.fail("FLOWGATE_RULES_HARNESS is not set"));
const apiUrl = harness.api_url;
const client = new PrefectClient({ apiUrl });
const CONSOLE = "https://flowgate.example.com";
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const unique = (name) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

let sink;
let block;
const made = [];
before(async () => {
  sink = await startSink();
  block = await client.createNotifyBlock({ kind: "custom-webhook", name: unique("sink"), url: sink.url() });
});
after(async () => {
  for (const id of made) await client.deleteRule(id).catch(() => {});
  await sink?.close();
});

async function rule(spec) {
  const stored = await client.createRule(spec);
  made.push(stored.id);
  return stored;
}

const notify = (after) => ({ kind: "notify", block: block.id, ...defaultMessage({ consoleUrl: CONSOLE, afterSeconds: after }) });
const forRun = (id) => (m) => m.json?.body?.includes(`/runs/${id}`);

async function automation(id) {
  const response = await apiRequest(apiUrl, "GET", `/automations/${id}`);
  return response.status === 404 ? null : response.json();
}

describe("rules as Prefect automations", { concurrency: true }, () => {
  test("a real flow pauses: the message reaches the sink within seconds, written for the person deciding, with both links", async () => {
    const flow = await apiPost(apiUrl, "/flows/", { name: "wait-for-human" });
    await rule({ name: unique("tell the sink"), scope: { flows: [flow.id] }, action: notify(null) });
    const dir = mkdtempSync(join(tmpdir(), "flowgate-rules-"));
    const idFile = join(dir, "run.id");
    const flowProcess = spawn(harness.python, [harness.flows, "plain", idFile, "600"], {
      env: { ...process.env, PREFECT_API_URL: apiUrl }, stdio: "ignore", detached: true,
    });
    try {
      while (!existsSync(idFile) || !readFileSync(idFile, "utf8").trim()) await sleep(100);
      const id = readFileSync(idFile, "utf8").trim();
      const message = await sink.waitFor(forRun(id), 30_000);
      const run = await client.readFlowRun(id);
      assert.equal(run.state.type, "PAUSED");
      const paused = Date.parse(run.state.timestamp);
      assert.ok(message.at - paused < 10_000, `the message came ${message.at - paused} ms after the pause`);
      assert.equal(message.json.subject, `Waiting for a decision: wait-for-human › ${run.name}`);
      const body = message.json.body;
      assert.match(body, new RegExp(`^wait-for-human › ${run.name} has paused and waits for a decision\\.\\nState: Paused since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\n`));
      assert.ok(body.includes(`Decide in Flowgate (what it asks for, and when the pause times out):\n${CONSOLE}/runs/${id}\n`), body);
      assert.ok(body.includes(`In Prefect: ${harness.ui_url}/runs/flow-run/${id}`), body);
      // History: the engine's own record of the notification, found through the run.
      let activity = [];
      for (let i = 0; i < 40 && activity.length === 0; i++) {
        activity = await client.ruleActivity(id);
        if (activity.length === 0) await sleep(500);
      }
      assert.equal(activity[0].actionType, "send-notification");
      assert.equal(activity[0].succeeded, true);
      assert.equal(activity[0].blockName, block.name);
    } finally {
      try { process.kill(-flowProcess.pid, "SIGKILL"); } catch { /* gone */ }
    }
  });

  test("a reminder fires after its wait and a default reject ends the run before its pause times out, History naming the rule; a run decided in time gets neither", async () => {
    const tag = unique("stale");
    const remind = await rule({ name: unique("remind"), scope: { tags: [tag] }, afterSeconds: 10, action: notify(10) });
    const reject = await rule({
      name: unique("close stale"), scope: { tags: [tag] }, afterSeconds: 18,
      action: { kind: "reject", reason: "Nobody decided within 18 seconds." },
    });
    const [late, decided] = await Promise.all([
      pausedRunOf(apiUrl, unique("late"), { flow: "rules-gate", tags: [tag] }),
      pausedRunOf(apiUrl, unique("decided"), { flow: "rules-gate", tags: [tag] }),
    ]);
    const plan = planRules([remind, reject], await client.readFlowRun(late));
    assert.deepEqual(plan.map((s) => [s.ruleName, s.action, s.status.kind]), [[remind.name, "notify", "due"], [reject.name, "reject", "due"]]);
    const result = await client.resume(decided);
    assert.equal(result.result.status, "ACCEPT");

    const reminder = await sink.waitFor(forRun(late), 40_000);
    const pausedAt = Date.parse((await client.flowRunStates(late)).find((s) => s.type === "PAUSED").timestamp);
    const waited = reminder.at - pausedAt;
    assert.ok(waited >= 10_000 && waited < 25_000, `the reminder came ${waited} ms after the pause`);
    assert.match(reminder.json.subject, /^Still waiting after 10 s: rules-gate › late-/);

    let run;
    for (let i = 0; i < 80; i++) {
      run = await client.readFlowRun(late);
      if (run.state.type !== "PAUSED") break;
      await sleep(500);
    }
    assert.equal(run.state.type, "CANCELLED");
    assert.equal(run.state.message, `Rejected by rule “${reject.name}”: Nobody decided within 18 seconds.`);
    const rejectedAfter = Date.parse(run.state.timestamp) - pausedAt;
    assert.ok(rejectedAfter >= 18_000, `rejected ${rejectedAfter} ms after the pause`);

    let activity = [];
    for (let i = 0; i < 40 && activity.length < 2; i++) {
      activity = await client.ruleActivity(late);
      if (activity.length < 2) await sleep(500);
    }
    assert.deepEqual(activity.map((a) => [a.automationName, a.actionType, a.succeeded]), [
      [reject.name, "change-flow-run-state", true],
      [remind.name, "send-notification", true],
    ]);

    // The run resumed in time: past both waits, it is still running, nothing came for it and
    // no automation acted on it.
    await sleep(4_000);
    assert.equal((await client.readFlowRun(decided)).state.type, "RUNNING");
    assert.equal(sink.messages.filter(forRun(decided)).length, 0);
    assert.deepEqual(await client.ruleActivity(decided), []);
  });

  test("a default resume resumes a run that asks for nothing, and for one that asks for input it is refused by the server, as planRules says beforehand", async () => {
    const tag = unique("go-on");
    const go = await rule({ name: unique("go on"), scope: { tags: [tag] }, afterSeconds: 10, action: { kind: "resume" } });
    const [plain, asking] = await Promise.all([
      pausedRunOf(apiUrl, unique("plain"), { flow: "rules-gate", tags: [tag] }),
      pausedRunOf(apiUrl, unique("asking"), { flow: "rules-gate", tags: [tag], schema: SCHEMA }),
    ]);
    const plan = planRules([go], await client.readFlowRun(asking), { schema: SCHEMA });
    assert.equal(plan[0].status.kind, "willFail");
    const [, answer] = plan[0].status.reason.match(/^it asks for input and a rule resumes without any; the server answers “(.+)” and the run stays paused$/) ?? assert.fail(plan[0].status.reason);
    assert.match(answer, /'approver' is a required property/);
    assert.equal(planRules([go], await client.readFlowRun(plain))[0].status.kind, "due");

    let activity = [];
    for (let i = 0; i < 80 && activity.length === 0; i++) {
      activity = await client.ruleActivity(asking);
      if (activity.length === 0) await sleep(500);
    }
    assert.equal(activity[0].succeeded, false);
    // Prefect's actions service says what planRules said it would, word for word.
    assert.equal(activity[0].reason, `Failed to resume flow run: ${answer}`);
    assert.equal((await client.readFlowRun(asking)).state.type, "PAUSED");
    for (let i = 0; i < 40 && (await client.readFlowRun(plain)).state.type === "PAUSED"; i++) await sleep(500);
    assert.equal((await client.readFlowRun(plain)).state.type, "RUNNING");
  });

  test("rules are created, listed, edited and deleted; automations Flowgate did not make are left alone", async () => {
    const foreign = await apiPost(apiUrl, "/automations/", {
      name: unique("ops' own"), trigger: { type: "event", posture: "Reactive", expect: ["prefect.flow-run.Failed"], threshold: 1, within: 0 },
      actions: [{ type: "do-nothing" }],
    });
    const created = await rule({ name: unique("edit me"), scope: { tags: ["edit"] }, action: notify(null) });
    assert.equal(created.enabled, true);
    let listed = await client.rules();
    assert.ok(listed.some((l) => l.status === "rule" && l.rule.id === created.id));
    assert.ok(!listed.some((l) => (l.rule?.id ?? l.id) === foreign.id), "a foreign automation is not listed");

    const edited = await client.updateRule({ ...created, enabled: false, afterSeconds: 600, scope: { tags: ["edit", "prod"] } });
    assert.deepEqual([edited.enabled, edited.afterSeconds, edited.scope.tags], [false, 600, ["edit", "prod"]]);
    const stored = await automation(created.id);
    assert.deepEqual(stored.tags, ["flowgate.rule"]);
    assert.equal(stored.trigger.posture, "Proactive");
    assert.equal(stored.enabled, false);

    for (const call of [() => client.updateRule({ ...created, id: foreign.id }), () => client.deleteRule(foreign.id)]) {
      await assert.rejects(call, (e) => e.kind === "foreignAutomation" && e.details.id === foreign.id && e.message.includes("was not made by Flowgate"));
    }
    assert.ok(await automation(foreign.id), "still there");

    // Changed in Prefect's UI beyond what a rule describes: listed as such, still deletable.
    const changed = { ...stored, actions: [...stored.actions, { type: "do-nothing" }] };
    for (const key of ["id", "created", "updated"]) delete changed[key];
    const put = await apiRequest(apiUrl, "PUT", `/automations/${created.id}`, changed);
    assert.equal(put.status, 204);
    listed = await client.rules();
    const elsewhere = listed.find((l) => l.id === created.id);
    assert.deepEqual(elsewhere, { status: "editedElsewhere", id: created.id, name: created.name, why: "it has 2 actions, a rule has one" });
    await client.deleteRule(created.id);
    assert.equal(await automation(created.id), null);
    await apiRequest(apiUrl, "DELETE", `/automations/${foreign.id}`);
  });

  test("bad rules are refused with the field or the server's own words, and nothing is half-created", async () => {
    const names = ["too soon", "no wait", "typo", "broken template"].map(unique);
    await assert.rejects(client.createRule({ name: names[0], afterSeconds: 5, action: { kind: "resume" } }),
      (e) => e.kind === "invalidRule" && e.details.field === "afterSeconds" && e.message.includes("10 seconds"));
    await assert.rejects(client.createRule({ name: names[1], action: { kind: "reject", reason: "x" } }),
      (e) => e.kind === "invalidRule" && e.details.field === "afterSeconds");
    await assert.rejects(client.createRule({ name: names[2], aftrSeconds: 60, action: { kind: "resume" } }),
      (e) => e.kind === "invalidArgument" && e.message.includes("aftrSeconds"));
    await assert.rejects(client.createRule({ name: names[3], action: { kind: "notify", block: block.id, subject: "s", body: "{{ flow_run.name " } }),
      (e) => e.kind === "validation" && e.message.includes("'body' is not a valid template"));
    await assert.rejects(client.createNotifyBlock({ kind: "custom-webhook", name: "Not A Slug", url: sink.url() }),
      (e) => e.kind === "invalidRule" && e.details.field === "name");
    assert.throws(() => defaultMessage({ consoleUrl: "flowgate.example.com" }), (e) => e.kind === "invalidArgument" && e.message.includes("http://"));
    await assert.rejects(client.deleteRule({ id: "x" }), (e) => e.kind === "invalidArgument");
    const listed = await client.rules();
    assert.deepEqual(listed.filter((l) => names.includes(l.rule?.name ?? l.name)), [], "nothing was created");
    assert.deepEqual(await client.automationEngine(), { triggers: true, actions: true, warning: null });
  });

  test("a notification block whose create lost its answer: made once, and the answer is that block", async () => {
    // Through a proxy that cuts the connection, before the server got the create (a kept-alive
    // connection the server closed as it went out) and after the server made the block.
    const proxy = await startFaultProxy(apiUrl);
    try {
      const through = new PrefectClient({ apiUrl: proxy.apiUrl });
      for (const mode of ["reset-before", "reset-after"]) {
        const name = unique(mode);
        proxy.inject({ match: /^POST \/api\/block_documents\/$/, mode });
        const made = await through.createNotifyBlock({ kind: "custom-webhook", name, url: sink.url(`/${mode}`) });
        assert.equal(made.name, name, mode);
        // Prefect on SQLite answers 503 while another writer holds the database, having done
        // nothing (the client sends those again): the creates that did something.
        const creates = proxy.log.filter((l) => l.line === "POST /api/block_documents/" && l.reachedServer && l.status !== 503);
        assert.deepEqual(creates.map((l) => l.status), [201], `${mode}: ${JSON.stringify(proxy.log)}`);
        if (mode === "reset-before") {
          assert.ok(proxy.log.some((l) => l.line.startsWith("GET /api/block_types/slug/custom-webhook/block_documents/name/")), "read by name before sending again");
        }
        proxy.log.length = 0;
        const stored = await apiPost(apiUrl, "/block_documents/filter", { block_documents: { name: { any_: [name] } } });
        assert.deepEqual(stored.map((b) => b.id), [made.id], `${mode}: one block of that name, the one answered`);
      }
    } finally {
      await proxy.close();
    }
  });

  test("a notification block deleted after the rule was made: Prefect records the failure, and History shows it in Prefect's words", async () => {
    const tag = unique("dead-block");
    const gone = await client.createNotifyBlock({ kind: "custom-webhook", name: unique("gone"), url: sink.url("/never") });
    await rule({ name: unique("to nowhere"), scope: { tags: [tag] }, action: { kind: "notify", block: gone.id, subject: "s", body: "b" } });
    const deleted = await apiRequest(apiUrl, "DELETE", `/block_documents/${gone.id}`);
    assert.equal(deleted.status, 204);
    const id = await pausedRunOf(apiUrl, unique("unheard"), { flow: "rules-gate", tags: [tag] });
    let activity = [];
    for (let i = 0; i < 60 && activity.length === 0; i++) {
      activity = await client.ruleActivity(id);
      if (activity.length === 0) await sleep(500);
    }
    assert.equal(activity[0].succeeded, false);
    assert.equal(activity[0].reason, "Unexpected status from 'send-notification' action: 404");
    assert.equal(sink.messages.filter((m) => m.path === "/never").length, 0);
  });
});
