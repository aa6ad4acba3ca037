// Reading a real Prefect server and driving the harness that started it, for the tests and
// benchmarks that check what happened on the server (not what a client says happened).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);

/** The harness record (`harness.json`) at `path`, with its state directory. */
export function readHarness(path) {
  return { ...JSON.parse(readFileSync(path, "utf8")), dir: dirname(path) };
}

/** The harness record named by the environment variable `variable` (a suite's server); fails
 * with what to set when it is not set. */
export function harnessFrom(variable) {
  const path = process.env[variable];
  if (!path) throw new Error(`${variable} must name a running harness's harness.json`);
  return readHarness(path);
}

/** A run's state type as the server reads it now. */
export async function stateOf(apiUrl, id) {
  return (await (await fetch(`${apiUrl}/flow_runs/${id}`)).json()).state_type;
}

/** Runs `prefect_harness.py COMMAND DIR` (e.g. `kill-api`, `start-api`). */
export async function harnessCommand(command, dir) {
  await run(join(repo, ".venv/bin/python"), [join(repo, "scripts/harness/prefect_harness.py"), command, dir]);
}

/** SIGKILLs the harness's API processes at once, as a crash would (no Python start-up delay). */
export function crashApi(harness) {
  for (const pid of harness.api_pids) {
    try { process.kill(-pid, "SIGKILL"); } catch { /* already gone */ }
  }
}

/**
 * POSTs JSON to the API (a fresh connection: Prefect resets one after a 500); the parsed
 * answer. A 503 — Prefect on SQLite while its database is locked, on a loaded machine — was
 * not processed, so it is sent again, a few times; so is a request whose connection failed
 * before any answer (seen with Prefect on SQLite under several suites' load: these are the
 * tests' own set-up calls, where a second copy does no harm).
 */
export async function apiPost(apiUrl, path, body) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: JSON.stringify(body),
      });
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((done) => setTimeout(done, 250 * attempt));
      continue;
    }
    if (response.status === 503 && attempt < 6) {
      await new Promise((done) => setTimeout(done, 250 * attempt));
      continue;
    }
    if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }
}

/** Any request to the API, sent again after a 503 (see `apiPost`); the Response. */
export async function apiRequest(apiUrl, method, path, body) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${apiUrl}${path}`, {
      method, headers: { "content-type": "application/json", connection: "close" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 503 || attempt >= 6) return response;
    await new Promise((done) => setTimeout(done, 250 * attempt));
  }
}

/** The ids among `ids` whose run is PAUSED now. */
export async function stillPaused(apiUrl, ids) {
  const paused = new Set();
  for (let i = 0; i < ids.length; i += 200) {
    const runs = await apiPost(apiUrl, "/flow_runs/filter", {
      flow_runs: { id: { any_: ids.slice(i, i + 200) }, state: { type: { any_: ["PAUSED"] } } }, limit: 200,
    });
    for (const r of runs) paused.add(r.id);
  }
  return paused;
}

/**
 * How many times each run left a PAUSED state for RUNNING or SCHEDULED (a resume), by its
 * state history (`GET /flow_run_states/?flow_run_id=`), `concurrency` runs at a time.
 */
export async function resumeTransitions(apiUrl, ids, concurrency = 8) {
  const counts = new Map();
  let next = 0;
  async function worker() {
    while (next < ids.length) {
      const id = ids[next++];
      const response = await fetch(`${apiUrl}/flow_run_states/?flow_run_id=${id}`);
      if (!response.ok) throw new Error(`state history of ${id}: HTTP ${response.status}`);
      const states = (await response.json()).sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      let resumes = 0;
      for (let i = 1; i < states.length; i++) {
        if (states[i - 1].type === "PAUSED" && ["RUNNING", "SCHEDULED"].includes(states[i].type)) resumes++;
      }
      counts.set(id, resumes);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

/**
 * Seeds `count` paused runs of a new flow `name` through the REST API (created RUNNING, then
 * PAUSED), `concurrency` at a time, as the harness's `--bulk` does; resolves to their ids
 * in creation order.
 */
export async function seedPaused(apiUrl, count, name, concurrency = 16) {
  const flow = await apiPost(apiUrl, "/flows/", { name });
  const timeout = new Date(Date.now() + 3600_000).toISOString();
  const ids = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      // Created Running (Prefect sets its start time, which the inbox sorts by), then paused.
      const run = await apiPost(apiUrl, "/flow_runs/", {
        flow_id: flow.id, name: `${name}-${i}`, tags: [name], state: { type: "RUNNING", name: "Running" },
      });
      await apiPost(apiUrl, `/flow_runs/${run.id}/set_state`, {
        state: { type: "PAUSED", name: "Paused", state_details: { pause_timeout: timeout, pause_reschedule: false, pause_key: "bench" } },
        force: true,
      });
      ids[i] = run.id;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

/**
 * One run paused through the API as a flow pauses it (an hour's timeout), of the flow `flow`
 * (with `tags` and `labels`); with `schema`, the pause asks for input under keys named after
 * the run; with `runId`, that existing run is paused instead. Resolves to its id.
 */
export async function pausedRunOf(apiUrl, name, { schema, flow = "e2e-gate", pauseKey = "e2e", tags = [], labels = {}, runId } = {}) {
  let run = { id: runId };
  if (!runId) {
    const created = await apiPost(apiUrl, "/flows/", { name: flow });
    run = await apiPost(apiUrl, "/flow_runs/", { flow_id: created.id, name, tags, labels });
  }
  const details = { pause_timeout: new Date(Date.now() + 3600_000).toISOString(), pause_key: pauseKey };
  if (schema) {
    await apiPost(apiUrl, `/flow_runs/${run.id}/input`, { key: `${name}-schema`, value: JSON.stringify(schema) });
    details.run_input_keyset = { schema: `${name}-schema`, response: `${name}-response`, description: `${name}-description` };
  }
  await apiPost(apiUrl, `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  await apiPost(apiUrl, `/flow_runs/${run.id}/set_state`, { state: { type: "PAUSED", name: "Paused", state_details: details }, force: true });
  return run.id;
}
