// The harness itself, as the suites rely on it: `--bulk 1000` seeds a thousand paused runs on
// Prefect's SQLite (which answers 503 "database is locked" while another writer holds it), and
// a `start` that fails part-way stops what it started (here a PostgreSQL cluster, when Prefect
// cannot take its port) instead of leaving it running; and `--showcase`, the console's demo,
// seeds real flows waiting for people and nothing adversarial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { apiPost, stateOf } from "../support/prefect.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const python = join(repo, ".venv/bin/python");
const harness = join(repo, "scripts/harness/prefect_harness.py");

/** Runs the harness; its exit code, stdout and stderr (never throws). */
function harnessRun(args) {
  return new Promise((resolve) => {
    execFile(python, [harness, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr });
    });
  });
}

/** Whether `pid` runs (a zombie waiting for init to reap it does not). */
function alive(pid) {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

test("--bulk 1000 on SQLite seeds a thousand paused runs, every one on the server", { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-harness-bulk-"));
  t.after(async () => {
    await harnessRun(["stop", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const started = await harnessRun(["start", dir, "--bare", "--bulk", "1000"]);
  assert.equal(started.code, 0, started.stderr);
  const record = JSON.parse(started.stdout);
  assert.equal(record.database, "sqlite");
  assert.equal(record.runs.bulk.length, 1000);
  assert.equal(new Set(record.runs.bulk).size, 1000);
  const response = await fetch(`${record.api_url}/flow_runs/count`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ flow_runs: { state: { type: { any_: ["PAUSED"] } }, tags: { all_: ["bulk"] } } }),
  });
  assert.equal(response.status, 200);
  assert.equal(await response.json(), 1000);
});

test("a start that fails part-way stops what it had started", { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-harness-fail-"));
  // PostgreSQL runs as an unprivileged user when the tests run as root: it must reach the
  // cluster's directory (mkdtemp makes it private).
  chmodSync(dir, 0o755);
  // A port something else holds: Prefect cannot start on it, after PostgreSQL has started.
  const holder = createServer();
  await new Promise((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    holder.close();
    await harnessRun(["stop", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const port = holder.address().port;
  const started = await harnessRun(["start", dir, "--bare", "--database", "postgres", "--port", String(port)]);
  assert.notEqual(started.code, 0, "the start cannot succeed on a port that is taken");
  assert.match(started.stderr, /stopping what it started/);
  const record = JSON.parse(readFileSync(join(dir, "harness.json"), "utf8"));
  assert.ok(record.postgres?.pid, "PostgreSQL had started before Prefect failed");
  const pids = [record.postgres.pid, ...record.pids];
  assert.ok(pids.length >= 2, "the Prefect server was started too");
  for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} was left running`);
  assert.ok(existsSync(join(dir, "postgres", "postgres.log")));
});

test("--showcase seeds a team's morning: four real flows wait for a person, one pause timed out, nothing adversarial; a resume with input lets its flow finish", { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-harness-showcase-"));
  t.after(async () => {
    await harnessRun(["stop", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const started = await harnessRun(["start", dir, "--showcase"]);
  assert.equal(started.code, 0, started.stderr);
  const record = JSON.parse(started.stdout);
  // Prefect on SQLite answers 503 while its database is locked (nothing applied): sent again.
  const post = (path, body) => apiPost(record.api_url, path, body);
  const paused = await post("/flow_runs/filter", { flow_runs: { state: { type: { any_: ["PAUSED"] } } } });
  const flows = new Map((await post("/flows/filter", {})).map((f) => [f.id, f.name]));
  assert.deepEqual(paused.map((r) => flows.get(r.flow_id)).sort(),
    ["data-quality-gate", "monthly-invoices", "nightly-backfill", "promote-model", "release-to-production"]);
  for (const run of paused) {
    assert.doesNotMatch(run.name, /[<>]|schema|demo-run/, "names are Prefect's, not test fixtures'");
    assert.ok(!run.tags.includes("broken-schema") && !run.tags.includes("demo"), run.tags.join(","));
  }
  const timedOut = paused.find((r) => r.id === record.runs.timed_out);
  assert.ok(new Date(timedOut.state.state_details.pause_timeout) < new Date(), "the invoice run's pause timed out");
  const others = await post("/flow_runs/count", { flow_runs: { state: { type: { not_any_: ["PAUSED"] } } } });
  assert.ok(others >= 30, `runs in other states for All runs: ${others}`);
  // The release asks for its sign-off with the change summary; resumed with one, the real
  // flow (in the runner's process) goes on and finishes.
  const release = record.runs.production;
  const description = await (await fetch(`${record.api_url}/flow_runs/${release}/input/paused-1-description`)).json();
  assert.match(description, /^## web-shop 2\.14\.0 to production/);
  const resumed = await post(`/flow_runs/${release}/resume`, { run_input: { approver: "ana", rollout: "all at once" } });
  assert.equal(resumed.status, "ACCEPT", JSON.stringify(resumed));
  let state;
  for (let i = 0; i < 120 && state !== "COMPLETED"; i++) {
    await new Promise((r) => setTimeout(r, 500));
    state = await stateOf(record.api_url, release);
  }
  assert.equal(state, "COMPLETED", "the flow went on after its pause and finished");
});
