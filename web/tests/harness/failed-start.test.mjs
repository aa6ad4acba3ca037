// A `start` that fails part-way stops what it started (here a PostgreSQL cluster, when Prefect
// cannot take its port) instead of leaving it running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { alive, harnessRun, stateDir } from "./run.mjs";

test("a start that fails part-way stops what it had started", { timeout: 300_000 }, async (t) => {
  const dir = stateDir(t, "fail");
  // PostgreSQL runs as an unprivileged user when the tests run as root: it must reach the
  // cluster's directory (mkdtemp makes it private).
  chmodSync(dir, 0o755);
  // A port something else holds: Prefect cannot start on it, after PostgreSQL has started.
  const holder = createServer();
  await new Promise((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(() => holder.close());
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
