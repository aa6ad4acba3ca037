// `--bulk 1000` seeds a thousand paused runs on Prefect's SQLite, which answers 503 "database
// is locked" while another writer holds it (the harness sends those again); and on the same
// server, a forced state whose answer was lost is not set twice when sent again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { harnessRun, pythonRun, repo, stateDir } from "./run.mjs";

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

  await t.test("a forced state whose answer was lost is not set twice", async () => {
    // The harness's own Api (scripts/harness/seeding.py), through a transport that sends the
    // first set_state to the server and then loses its answer, as a kept-alive connection the
    // server closed does.
    const script = `
import json, sys
import httpx
sys.path.insert(0, ${JSON.stringify(join(repo, "scripts/harness"))})
from seeding import Api

class LosesOneAnswer(httpx.BaseTransport):
    def __init__(self):
        self.real = httpx.HTTPTransport()
        self.lost = 0
    def handle_request(self, request):
        response = self.real.handle_request(request)
        if request.url.path.endswith("/set_state") and self.lost == 0:
            self.lost += 1
            response.read()
            response.close()
            raise httpx.RemoteProtocolError("the answer was lost", request=request)
        return response

api = Api(sys.argv[1], None)
transport = LosesOneAnswer()
api.http = httpx.Client(base_url=sys.argv[1], timeout=60, transport=transport)
run = api.run(api.flow("harness-lost-answer"), "lost-answer", running=True)
api.pause(run, running=True)
print(json.dumps({"run": run, "lost": transport.lost}))
`;
    const paused = await pythonRun(["-c", script, record.api_url]);
    assert.equal(paused.code, 0, paused.stderr);
    const { run, lost } = JSON.parse(paused.stdout);
    assert.equal(lost, 1, "the pause's first answer was lost");
    assert.match(paused.stderr, /set_state: RemoteProtocolError; sending it again/);
    const states = await (await fetch(`${record.api_url}/flow_run_states/?flow_run_id=${run}`)).json();
    assert.deepEqual(states.map((s) => s.type).sort(), ["PAUSED", "RUNNING"], JSON.stringify(states.map((s) => [s.type, s.name])));
  });
});
