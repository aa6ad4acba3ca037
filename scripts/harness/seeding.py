"""What the harness seeds a server with, through its REST API: runs forced into the states a
real flow reaches only rarely, N paused runs for bulk resumes, demo runs; and the waits for
real flows to pause."""

import itertools
import json
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx

from processes import log

TIMED_OUT_AFTER = 8  # seconds a pause lasts before it times out

APPROVAL_SCHEMA_KEY = "paused-1-schema"

RUNNING = {"type": "RUNNING", "name": "Running"}

# How long a request refused for a reason that passes (SQLite busy, a timeout, a dropped
# connection) is sent again. Writers that keep colliding on SQLite in a CI machine's worst
# minute were seen refused 20 times over 52 s.
RESEND_FOR = 240


def resend_pause(attempt: int) -> None:
    """0.25 s doubling to 4 s, each between half and one and a half of it, so writers that
    collided do not all come back at the same moment."""
    time.sleep(min(0.25 * 2 ** attempt, 4.0) * random.uniform(0.5, 1.5))


class Api:
    def __init__(self, base: str, auth: str | None):
        kwargs = {}
        if auth:
            user, _, password = auth.partition(":")
            kwargs["auth"] = (user, password)
        self.http = httpx.Client(base_url=base, timeout=60, **kwargs)

    def call(self, method: str, path: str, body=None, *, exists_ok=False, landed=None):
        """One request. SQLite answers 503 while another writer holds the database, a loaded
        machine can time a request out, and a kept-alive connection the server closed as the
        request went out ends without an answer: each is sent again, with a growing, jittered
        pause, for up to RESEND_FOR seconds. Every request sent here is safe to send twice
        (runs are created with an idempotency key); with `exists_ok`, a 409 on a resend means
        the first attempt landed; a request that is not (a forced state) passes `landed`, asked
        before each resend whether an earlier attempt took effect after all."""
        deadline = time.monotonic() + RESEND_FOR
        response = None
        for attempt in itertools.count():
            try:
                response = self.http.request(method, path, json=body)
            except httpx.TransportError as error:
                if time.monotonic() > deadline:
                    raise
                log(f"{method} {path}: {error.__class__.__name__}; sending it again")
                resend_pause(attempt)
                if landed is not None and landed():
                    return None
                continue
            if response.status_code == 409 and exists_ok and attempt > 0:
                return None
            if response.status_code != 503 or time.monotonic() > deadline:
                break
            if attempt == 20:
                log(f"{method} {path}: 503 from the server 20 times; still sending it again")
            resend_pause(attempt)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def flow(self, name: str) -> str:
        return self.call("POST", "/flows/", {"name": name})["id"]

    def run(self, flow_id: str, name: str | None, tags=(), deployment_id=None, running=False) -> str:
        """A new run; without a name, Prefect names it (as it names a flow's run). `running`:
        created Running, in the same request (Prefect sets its start time then)."""
        # The key makes a resent create answer the run the first attempt created.
        key = f"flowgate-harness-{uuid.uuid4()}"
        body = {"tags": list(tags), "idempotency_key": key}
        if name is not None:
            body["name"] = name
        if running:
            body["state"] = RUNNING
        if deployment_id:
            return self.call("POST", f"/deployments/{deployment_id}/create_flow_run", body)["id"]
        return self.call("POST", "/flow_runs/", dict(body, flow_id=flow_id))["id"]

    def force_state(self, run_id: str, state: dict) -> None:
        """Sets the run's state. Setting it twice would leave two such states in the run's
        history, so after an attempt whose answer was lost the run is read first: if its state
        is already the one asked for, the state is not sent again."""
        def landed() -> bool:
            current = self.call("GET", f"/flow_runs/{run_id}").get("state") or {}
            return (current.get("type"), current.get("name")) == (
                state["type"], state.get("name", state["type"].capitalize()))

        self.call("POST", f"/flow_runs/{run_id}/set_state", {"state": state, "force": True},
                  landed=landed)

    def pause(self, run_id: str, *, reschedule=False, keyset=None, timeout_s=3600, name=None,
              running=False):
        """Pauses a run as a flow pauses itself, from Running (`running`: it is already)."""
        if not running:
            self.force_state(run_id, RUNNING)
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
        self.call("POST", f"/flow_runs/{run_id}/input", {"key": key, "value": text}, exists_ok=True)


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


def seed_bulk_runs(api: Api, count: int, approval_schema: str | None, name: str = "bulk") -> list:
    """`count` paused runs for bulk resumes, created four at a time; with a schema, the
    first asks for input, so resuming it without input is rejected."""
    flow_id = api.flow(f"{name}-gate")

    def one(i: int) -> str:
        # Created Running: two requests a run, not three.
        run_id = api.run(flow_id, f"{name}-{i:02d}", [name], running=True)
        if i == 0 and approval_schema is not None:
            api.store_input(run_id, APPROVAL_SCHEMA_KEY, approval_schema)
            api.pause(run_id, keyset=KEYSET, running=True)
        else:
            api.pause(run_id, running=True)
        return run_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(count)))


def seed_timed_out(api: Api) -> str:
    """A month-end invoice run whose pause times out TIMED_OUT_AFTER seconds from now (the
    server's pause-expiration service is off, so it stays PAUSED past its timeout)."""
    run_id = api.run(api.flow("monthly-invoices"), None, ["finance"])
    api.pause(run_id, timeout_s=TIMED_OUT_AFTER)
    return run_id


def seed_demo_runs(api: Api, named: bool = True) -> list:
    """A few dozen runs in mixed states with tags, beside the paused ones; `named`: demo-run-NN,
    else named by Prefect."""
    ids = []
    states = [
        ("COMPLETED", "Completed"), ("FAILED", "Failed"), ("RUNNING", "Running"),
        ("SCHEDULED", "Scheduled"), ("CANCELLED", "Cancelled"), ("CRASHED", "Crashed"),
    ]
    flows = [api.flow(name) for name in ("etl-orders", "train-model", "sync-crm")]
    for i in range(30):
        flow_id = flows[i % len(flows)]
        region = ["eu", "us"][i % 2]
        tags = ["demo", region] if named else [region]
        run_id = api.run(flow_id, f"demo-run-{i:02d}" if named else None, tags)
        state_type, name = states[i % len(states)]
        if state_type == "SCHEDULED":
            api.force_state(run_id, {"type": "SCHEDULED", "name": "Scheduled"})
        else:
            api.force_state(run_id, RUNNING)
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
