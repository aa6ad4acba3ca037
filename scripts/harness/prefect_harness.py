"""Starts a real Prefect server on loopback and seeds it with real paused runs.

    python prefect_harness.py start STATE_DIR [--port N] [--auth USER:PASS] [--demo]
    python prefect_harness.py stop STATE_DIR

`start` runs `prefect server start` on 127.0.0.1 (a free port unless --port is given) with
its own PREFECT_HOME under STATE_DIR, waits for /api/health, then seeds:

- real flows in background processes that pause: plain, with a key, with `wait_for_input`
  of a typed RunInput (nested model, lists), and one with a short timeout whose process is
  killed so the pause times out (the server's pause-expiration service is disabled, so the
  run stays PAUSED past its timeout);
- through the REST API: a suspended run (pause_reschedule) of a deployment, a suspended run
  whose deployment was deleted, paused runs whose stored schema is missing, not JSON,
  circular or invalid, and a completed run;
- with --bulk N, N paused runs for bulk resumes (the first asks for input);
- with --demo, more runs in mixed states with tags, for the console;
- with --bare, nothing at all (the server only).

It writes STATE_DIR/harness.json ({api_url, ui_url, pids, runs}) and prints it. `stop`
stops exactly the processes `start` recorded there, by process group.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

TIMED_OUT_AFTER = 8  # seconds a pause lasts before it times out

APPROVAL_SCHEMA_KEY = "paused-1-schema"


def log(message: str) -> None:
    print(f"[harness] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(args, env, log_path: Path) -> subprocess.Popen:
    out = open(log_path, "ab")
    return subprocess.Popen(
        args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def server_env(state: Path, port: int, auth: str | None) -> dict:
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("PREFECT_"):
            del env[key]
    env.update(
        PREFECT_HOME=str(state / "prefect-home"),
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED="false",
        # Loops that have nothing to do with pauses and only compete for SQLite and CPU.
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED="false",
        PREFECT_SERVER_SERVICES_FOREMAN_ENABLED="false",
        PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED="false",
        PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED="false",
        PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED="false",
        PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED="false",
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    if auth:
        env["PREFECT_SERVER_API_AUTH_STRING"] = auth
        env["PREFECT_API_AUTH_STRING"] = auth
    return env


class Api:
    def __init__(self, base: str, auth: str | None):
        kwargs = {}
        if auth:
            user, _, password = auth.partition(":")
            kwargs["auth"] = (user, password)
        self.http = httpx.Client(base_url=base, timeout=30, **kwargs)

    def call(self, method: str, path: str, body=None):
        # SQLite answers 503 while another writer holds the database; that one is retried.
        for attempt in range(20):
            response = self.http.request(method, path, json=body)
            if response.status_code != 503:
                break
            time.sleep(0.25 * (attempt + 1))
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def flow(self, name: str) -> str:
        return self.call("POST", "/flows/", {"name": name})["id"]

    def run(self, flow_id: str, name: str, tags=(), deployment_id=None) -> str:
        if deployment_id:
            body = {"name": name, "tags": list(tags)}
            return self.call("POST", f"/deployments/{deployment_id}/create_flow_run", body)["id"]
        body = {"flow_id": flow_id, "name": name, "tags": list(tags)}
        return self.call("POST", "/flow_runs/", body)["id"]

    def force_state(self, run_id: str, state: dict) -> None:
        self.call("POST", f"/flow_runs/{run_id}/set_state", {"state": state, "force": True})

    def pause(self, run_id: str, *, reschedule=False, keyset=None, timeout_s=3600, name=None):
        self.force_state(run_id, {"type": "RUNNING", "name": "Running"})
        details = {
            "pause_timeout": (datetime.now(timezone.utc) + timedelta(seconds=timeout_s)).isoformat(),
            "pause_reschedule": reschedule,
            "pause_key": "api-pause",
        }
        if keyset:
            details["run_input_keyset"] = keyset
        state = {
            "type": "PAUSED",
            "name": name or ("Suspended" if reschedule else "Paused"),
            "state_details": details,
        }
        self.force_state(run_id, state)

    def store_input(self, run_id: str, key: str, text: str) -> None:
        self.call("POST", f"/flow_runs/{run_id}/input", {"key": key, "value": text})


KEYSET = {
    "description": "paused-1-description",
    "response": "paused-1-response",
    "schema": APPROVAL_SCHEMA_KEY,
}


def seed_api_runs(api: Api, approval_schema: str) -> dict:
    """Runs in states a real flow reaches only rarely, set through the REST API."""
    runs = {}
    flow_id = api.flow("api-gate")

    deployment = api.call("POST", "/deployments/", {"name": "nightly", "flow_id": flow_id})["id"]
    runs["suspended"] = api.run(flow_id, "suspended-gate", ["gate"], deployment)
    api.pause(runs["suspended"], reschedule=True)

    # A suspension without a deployment: Prefect refuses to create one through
    # orchestration, so it is forced, as an operator (or a deployment-less migration) can.
    runs["suspended_no_deployment"] = api.run(flow_id, "orphaned-suspension", ["gate"])
    api.pause(runs["suspended_no_deployment"], reschedule=True)

    runs["suspended_timed_out"] = api.run(flow_id, "suspended-expired", ["gate"], deployment)
    api.pause(runs["suspended_timed_out"], reschedule=True, timeout_s=TIMED_OUT_AFTER)

    runs["suspended_input"] = api.run(flow_id, "suspended-with-input", ["gate"], deployment)
    api.store_input(runs["suspended_input"], APPROVAL_SCHEMA_KEY, approval_schema)
    api.pause(runs["suspended_input"], reschedule=True, keyset=KEYSET)

    # A name made of markup: consoles must render it as text.
    runs["markup"] = api.run(flow_id, "<img src=x onerror=alert(1)>", ["<b>tag</b>"])
    api.pause(runs["markup"])

    broken = {
        "schema_missing": None,
        "schema_not_json": "{not json",
        "schema_circular": json.dumps({"$defs": {"Loop": {"$ref": "#/$defs/Loop"}},
                                       "properties": {"x": {"$ref": "#/$defs/Loop"}}}),
        "schema_invalid": json.dumps({"type": "object", "properties": {"x": {"type": 5}}}),
        "schema_unresolvable": json.dumps({"properties": {"x": {"$ref": "#/definitions/Nowhere"}}}),
    }
    for name, text in broken.items():
        runs[name] = api.run(flow_id, name.replace("_", "-"), ["broken-schema"])
        if text is not None:
            api.store_input(runs[name], APPROVAL_SCHEMA_KEY, text)
        api.pause(runs[name], keyset=KEYSET)
    return runs


def seed_bulk_runs(api: Api, count: int, approval_schema: str) -> list:
    """`count` paused runs for bulk resumes; the first asked for input, so resuming it
    without input is rejected."""
    flow_id = api.flow("bulk-gate")
    ids = []
    for i in range(count):
        run_id = api.run(flow_id, f"bulk-{i:02d}", ["bulk"])
        if i == 0:
            api.store_input(run_id, APPROVAL_SCHEMA_KEY, approval_schema)
            api.pause(run_id, keyset=KEYSET)
        else:
            api.pause(run_id)
        ids.append(run_id)
    return ids


def seed_demo_runs(api: Api) -> list:
    """A few dozen runs in mixed states with tags, beside the paused ones."""
    ids = []
    states = [
        ("COMPLETED", "Completed"), ("FAILED", "Failed"), ("RUNNING", "Running"),
        ("SCHEDULED", "Scheduled"), ("CANCELLED", "Cancelled"), ("CRASHED", "Crashed"),
    ]
    flows = [api.flow(name) for name in ("etl-orders", "train-model", "sync-crm")]
    for i in range(30):
        flow_id = flows[i % len(flows)]
        run_id = api.run(flow_id, f"demo-run-{i:02d}", ["demo", ["eu", "us"][i % 2]])
        state_type, name = states[i % len(states)]
        if state_type == "SCHEDULED":
            api.force_state(run_id, {"type": "SCHEDULED", "name": "Scheduled"})
        else:
            api.force_state(run_id, {"type": "RUNNING", "name": "Running"})
        if state_type not in ("SCHEDULED", "RUNNING"):
            api.force_state(run_id, {"type": state_type, "name": name})
        ids.append(run_id)
    return ids


def wait_paused(api: Api, run_id: str, deadline: float) -> dict:
    while time.time() < deadline:
        run = api.call("GET", f"/flow_runs/{run_id}")
        if run["state_type"] == "PAUSED":
            return run
        if run["state_type"] in ("FAILED", "CRASHED", "COMPLETED"):
            raise RuntimeError(f"run {run_id} ended {run['state_type']} before pausing")
        time.sleep(0.3)
    raise RuntimeError(f"run {run_id} did not pause in time")


def wait_input_schema(api: Api, run_id: str, deadline: float) -> str:
    """The run-input schema a run paused for input stored. A flow may be seen PAUSED a
    moment before its schema is readable; reading it then would get the 404 body."""
    while time.time() < deadline:
        response = api.http.get(f"/flow_runs/{run_id}/input/{APPROVAL_SCHEMA_KEY}")
        if response.status_code == 200:
            return response.text
        if response.status_code not in (404, 503):
            raise RuntimeError(f"run {run_id}: reading its input schema gave {response.status_code}")
        time.sleep(0.3)
    raise RuntimeError(f"run {run_id} did not store its input schema in time")


def start(args) -> None:
    state = Path(args.state_dir).resolve()
    state.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    env = server_env(state, port, args.auth)
    base = f"http://127.0.0.1:{port}"
    pids = []

    log(f"starting prefect server on {base}")
    server = spawn([str(BIN / "prefect"), "server", "start"], env, state / "server.log")
    pids.append(server.pid)
    record = {"api_url": f"{base}/api", "ui_url": base, "pids": pids, "runs": {}}
    (state / "harness.json").write_text(json.dumps(record, indent=2))

    api = Api(f"{base}/api", args.auth)
    deadline = time.time() + 180
    while True:
        try:
            if api.http.get("/health").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.time() > deadline:
            raise SystemExit(f"prefect server did not come up; see {state / 'server.log'}")
        time.sleep(0.5)
    if args.bare:
        print(json.dumps(record, indent=2))
        return
    log("server is healthy; starting flows that pause")

    kinds = [("plain", 3600), ("plain", 3600), ("plain", 3600), ("keyed", 3600),
             ("input", 3600), ("input", 3600), ("input", 3600), ("timed_out", TIMED_OUT_AFTER),
             ("done", 0)]
    if args.demo:
        kinds += [("input", 3600), ("plain", 3600), ("release", 3600)]
    procs = []
    for i, (kind, timeout) in enumerate(kinds):
        id_file = state / f"run-{i}-{kind}.id"
        id_file.unlink(missing_ok=True)
        flow_kind = "plain" if kind == "timed_out" else kind
        proc = spawn([str(BIN / "python"), str(HERE / "flows.py"), flow_kind, str(id_file), str(timeout)],
                     env, state / f"flow-{i}-{kind}.log")
        pids.append(proc.pid)
        procs.append((kind, id_file, proc))
        # Recorded at once, so `stop` finds every process even if `start` is interrupted.
        (state / "harness.json").write_text(json.dumps(record, indent=2))

    runs: dict = {"plain": [], "input": []}
    deadline = time.time() + 180
    # The short pause first: its process must be killed before its own timeout fails the
    # run, however slow the machine is.
    procs.sort(key=lambda entry: entry[0] != "timed_out")
    for kind, id_file, proc in procs:
        while not id_file.exists() or not id_file.read_text().strip():
            if proc.poll() is not None and not id_file.exists():
                raise SystemExit(f"flow {kind} exited early; see {state}")
            if time.time() > deadline:
                raise SystemExit(f"flow {kind} did not start; see {state}")
            time.sleep(0.2)
        run_id = id_file.read_text().strip()
        if kind == "done":
            proc.wait(timeout=120)
            runs["completed"] = run_id
            continue
        wait_paused(api, run_id, deadline)
        if kind in ("input", "release"):
            wait_input_schema(api, run_id, deadline)
        if kind == "timed_out":
            # Kill the flow's process so nothing resumes or fails the run: it stays PAUSED
            # past its timeout, the case the resume rule rejects.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            runs["timed_out"] = run_id
        elif kind in ("plain", "input"):
            runs[kind].append(run_id)
        else:
            runs[kind] = run_id

    input_run = runs["input"][0]
    schema_text = wait_input_schema(api, input_run, deadline)
    runs.update(seed_api_runs(api, schema_text))
    if args.bulk:
        runs["bulk"] = seed_bulk_runs(api, args.bulk, schema_text)
    if args.demo:
        runs["demo"] = seed_demo_runs(api)

    record["runs"] = runs
    (state / "harness.json").write_text(json.dumps(record, indent=2))
    log("seeded; waiting for the short pauses to time out")
    for key in ("timed_out", "suspended_timed_out"):
        timeout = api.call("GET", f"/flow_runs/{runs[key]}")["state"]["state_details"]["pause_timeout"]
        left = datetime.fromisoformat(timeout.replace("Z", "+00:00")) - datetime.now(timezone.utc)
        time.sleep(max(0.0, left.total_seconds()) + 0.5)
    print(json.dumps(record, indent=2))


def stop(args) -> None:
    path = Path(args.state_dir) / "harness.json"
    if not path.exists():
        log("nothing recorded; nothing to stop")
        return
    pids = json.loads(path.read_text())["pids"]
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + 15
    for pid in pids:
        while time.time() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    log(f"stopped {len(pids)} process group(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start")
    p_start.add_argument("state_dir")
    p_start.add_argument("--port", type=int)
    p_start.add_argument("--auth", help="user:pass; enables PREFECT_SERVER_API_AUTH_STRING")
    p_start.add_argument("--demo", action="store_true", help="also seed mixed-state demo runs")
    p_start.add_argument("--bulk", type=int, default=0, help="also seed N paused runs for bulk resumes")
    p_start.add_argument("--bare", action="store_true", help="start the server only, seed nothing")
    p_stop = sub.add_parser("stop")
    p_stop.add_argument("state_dir")
    args = parser.parse_args()
    {"start": start, "stop": stop}[args.command](args)


if __name__ == "__main__":
    main()
