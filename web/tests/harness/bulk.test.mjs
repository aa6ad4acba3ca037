// `--bulk 1000` seeds a thousand paused runs on Prefect's SQLite, which answers 503 "database
// is locked" while another writer holds it (the harness sends those again).
import { test } from "node:test";
import assert from "node:assert/strict";
import { harnessRun, stateDir } from "./run.mjs";

test("--bulk 1000 on SQLite seeds a thousand paused runs, every one on the server", { timeout: 600_000 }, async (t) => {
  const dir = stateDir(t, "bulk");
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
