// A port the harness chose as free but that is taken before Prefect binds it is replaced, and
// the record says which.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pythonRun, repo, stateDir } from "./run.mjs";

test("a server whose chosen port is taken before it binds starts on another, and the record says which", { timeout: 300_000 }, async (t) => {
  const dir = stateDir(t, "port");
  // The port the harness chose as free, taken before Prefect binds it (on a busy machine, by
  // any connection's own port): here held on purpose.
  const holder = createServer();
  await new Promise((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const taken = holder.address().port;
  t.after(() => holder.close());
  // The harness's own start of its API server (processes.start_api_servers), on a record as
  // `start` writes it with that port chosen: the function `start` calls, not a copy of it.
  const script = `
import json, sys
from pathlib import Path
sys.path.insert(0, ${JSON.stringify(join(repo, "scripts/harness"))})
from processes import save, start_api_servers
state, port = Path(sys.argv[1]), int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
record = {"api_url": f"{base}/api", "api_urls": [f"{base}/api"], "ui_url": base, "database": "sqlite",
          "auth": None, "automations": False, "api_ports": [port], "pids": [], "api_pids": [], "runs": {}}
save(state, record)
start_api_servers(state, record, movable=True)
print(json.dumps(record))
`;
  const started = await pythonRun(["-c", script, dir, String(taken)]);
  assert.equal(started.code, 0, started.stderr);
  const record = JSON.parse(started.stdout);
  const moved = record.api_ports[0];
  assert.notEqual(moved, taken, "the server moved off the taken port");
  assert.match(started.stderr, new RegExp(`port ${taken} was taken before the server bound it; starting it on ${moved}`));
  assert.deepEqual([record.api_url, record.api_urls, record.ui_url],
    [`http://127.0.0.1:${moved}/api`, [`http://127.0.0.1:${moved}/api`], `http://127.0.0.1:${moved}`]);
  // What the record names answers, and is what `stop` stops (t.after).
  assert.equal((await fetch(`${record.api_url}/health`)).status, 200);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "harness.json"), "utf8")).api_ports, [moved]);
  assert.match(readFileSync(join(dir, "server.log"), "utf8"), /already in use/i, "Prefect said the first port was taken");
});
