"""Starts a real Prefect server on loopback and seeds it with real paused runs.

    python prefect_harness.py start STATE_DIR [--port N] [--auth USER:PASS] [--demo]
        [--bulk N] [--bare] [--database sqlite|postgres] [--postgres-cluster DIR]
        [--replicas N] [--automations]
    python prefect_harness.py start-postgres DIR
    python prefect_harness.py kill-api STATE_DIR
    python prefect_harness.py start-api STATE_DIR
    python prefect_harness.py stop STATE_DIR

`start` runs `prefect server start` on 127.0.0.1 (a free port unless --port is given) with
its own PREFECT_HOME under STATE_DIR, waits for /api/health, then seeds what is listed
below. The database is Prefect's embedded SQLite unless `--database postgres` is given:
then the server runs on PostgreSQL (Debian's, a private cluster started with `initdb` and
`postgres` on a free loopback port, as an unprivileged user when run as root), either its
own under STATE_DIR/postgres or, with --postgres-cluster, a fresh database in a cluster
that `start-postgres DIR` started (so several servers share one PostgreSQL).
`--replicas N` (with postgres) runs the production shape Prefect documents for scaling
out: migrations once, N API processes (`prefect server start --no-services`) on the same
database, one `prefect server services start`, and Redis (Debian's `redis-server` on
loopback, through `prefect-redis`) as events broker, cache, causal ordering, lease
storage and Docket backend. Flows talk to the first replica.
`--automations` turns on Prefect's triggers service (off otherwise: it costs CPU), so
automations — Flowgate's rules — fire; the actions and event persister services are on.

`kill-api` SIGKILLs the API process(es), as a crash would; `start-api` starts them again
on the same ports and database and waits until they are healthy.

Seeds:

- real flows in background processes that pause: plain, with a key, with `wait_for_input`
  of a typed RunInput (nested model, lists), and one with a short timeout whose process is
  killed so the pause times out (the server's pause-expiration service is disabled, so the
  run stays PAUSED past its timeout);
- through the REST API: a suspended run (pause_reschedule) of a deployment, a suspended run
  whose deployment was deleted, paused runs whose stored schema is missing, not JSON,
  circular or invalid, and a completed run;
- with --bulk N, N paused runs for bulk resumes (the first asks for input);
- with --demo, more runs in mixed states with tags, for the console;
- with --bare, nothing but the --bulk runs, if asked for (none ask for input).

It writes STATE_DIR/harness.json ({api_url, api_urls, ui_url, database, pids, runs, …})
and prints it. `stop` stops exactly the processes `start` recorded there, by process group:
Prefect's first, then PostgreSQL (fast shutdown) and Redis.
"""

import argparse
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def spawn(args, env, log_path: Path, **as_user) -> subprocess.Popen:
    out = open(log_path, "ab")
    return subprocess.Popen(
        args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **as_user
    )


def server_env(state: Path, port: int, record: dict) -> dict:
    """The environment of every Prefect process of this harness: its server, services and
    flows. `record` holds the backend (database URL, Redis port) and the auth string."""
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
        # Loops that have nothing to do with pauses and only compete for the database and CPU.
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED="false",
        PREFECT_SERVER_SERVICES_FOREMAN_ENABLED="false",
        PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED="false",
        PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED="false",
        PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED="false",
        PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED="false",
        # Automations: their loops took a third of an idle server's CPU (measured with py-spy),
        # so they run only where asked for (`--automations`).
        PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED="true" if record.get("automations") else "false",
        PREFECT_API_URL=record["api_url"],
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    database_url = record.get("database_url")
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    redis = record.get("redis")
    if redis:
        # Prefect's documented settings for several servers on one database.
        env.update(
            PREFECT_API_DATABASE_MIGRATE_ON_START="false",
            PREFECT_MESSAGING_BROKER="prefect_redis.messaging",
            PREFECT_MESSAGING_CACHE="prefect_redis.messaging",
            PREFECT_SERVER_EVENTS_CAUSAL_ORDERING="prefect_redis.ordering",
            PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE="prefect_redis.lease_storage",
            PREFECT_REDIS_MESSAGING_HOST="127.0.0.1",
            PREFECT_REDIS_MESSAGING_PORT=str(redis["port"]),
            PREFECT_REDIS_MESSAGING_DB="0",
            PREFECT_SERVER_DOCKET_URL=f"redis://127.0.0.1:{redis['port']}/1",
        )
    auth = record.get("auth")
    if auth:
        env["PREFECT_SERVER_API_AUTH_STRING"] = auth
        env["PREFECT_API_AUTH_STRING"] = auth
    return env


def postgres_bin(name: str) -> str:
    """A PostgreSQL program: on PATH, or the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0)
    if not versions:
        raise SystemExit(f"PostgreSQL's {name} is not installed (scripts/bootstrap.sh installs Debian's postgresql)")
    return str(versions[-1])


def unprivileged_user() -> dict:
    """PostgreSQL refuses to run as root: as root, its processes run as Debian's `postgres`
    user (or `nobody`)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise SystemExit("running as root, and there is no `postgres` or `nobody` user to run PostgreSQL as")


def start_postgres(directory: Path) -> dict:
    """initdb a private cluster in `directory`/data and start it on a free loopback port."""
    data = directory / "data"
    as_user = unprivileged_user()
    directory.mkdir(parents=True, exist_ok=True)
    if as_user:
        os.chown(directory, as_user["user"], as_user["group"])
    if not (data / "PG_VERSION").exists():
        log(f"initdb {data}")
        subprocess.run(
            [postgres_bin("initdb"), "-D", str(data), "-U", "flowgate", "--auth=trust",
             "--encoding=UTF8", "--locale=C"],
            check=True, stdout=subprocess.DEVNULL, stderr=open(directory / "initdb.log", "ab"), **as_user)
    port = free_port()
    process = spawn(
        [postgres_bin("postgres"), "-D", str(data), "-p", str(port),
         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={directory}",
         "-c", "max_connections=300"],
        os.environ.copy(), directory / "postgres.log", **as_user)
    deadline = time.time() + 60
    while subprocess.run([postgres_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode != 0:
        if process.poll() is not None or time.time() > deadline:
            raise SystemExit(f"PostgreSQL did not start; see {directory / 'postgres.log'}")
        time.sleep(0.2)
    version = subprocess.run([postgres_bin("postgres"), "--version"], capture_output=True, text=True).stdout.strip()
    log(f"{version} on 127.0.0.1:{port}")
    return {"pid": process.pid, "port": port, "user": "flowgate", "version": version}


def create_database(cluster: dict, name: str) -> str:
    """A new, empty database in the cluster; its SQLAlchemy URL for Prefect."""
    subprocess.run([postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster["port"]),
                    "-U", cluster["user"], name], check=True)
    return f"postgresql+asyncpg://{cluster['user']}@127.0.0.1:{cluster['port']}/{name}"


def start_redis(directory: Path) -> dict:
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis_server).exists():
        raise SystemExit("redis-server is not installed (scripts/bootstrap.sh installs Debian's redis-server)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = spawn([redis_server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                     "--appendonly", "no", "--dir", str(directory)],
                    os.environ.copy(), directory / "redis.log")
    deadline = time.time() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            raise SystemExit(f"redis-server did not start; see {directory / 'redis.log'}")
        time.sleep(0.2)
    log(f"redis-server on 127.0.0.1:{port}")
    return {"pid": process.pid, "port": port}


def save(state: Path, record: dict) -> None:
    (state / "harness.json").write_text(json.dumps(record, indent=2))


def wait_healthy(base: str, process: subprocess.Popen, log_path: Path, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    with httpx.Client(base_url=base, timeout=5) as http:
        while True:
            try:
                if http.get("/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"prefect server did not come up; see {log_path}")
            time.sleep(0.5)


def start_api_servers(state: Path, record: dict) -> None:
    """Starts the record's API server(s) on their ports and waits until each is healthy.
    The first replica starts alone: replicas that start together on a fresh database race
    to register Prefect's block types, and the losers exit on a unique-constraint error
    (`uq_block_type__slug`, seen with Prefect 3.9.1 on PostgreSQL)."""
    replicated = bool(record.get("redis"))
    started = []
    for index, port in enumerate(record["api_ports"]):
        args = [str(BIN / "prefect"), "server", "start"]
        if replicated:
            args.append("--no-services")
        log_path = state / (f"server-{index}.log" if replicated else "server.log")
        process = spawn(args, server_env(state, port, record), log_path)
        record["pids"].append(process.pid)
        record["api_pids"].append(process.pid)
        save(state, record)
        started.append((f"http://127.0.0.1:{port}", process, log_path))
        if index == 0:
            wait_healthy(*started.pop())
    for base, process, log_path in started:
        wait_healthy(base, process, log_path)


class Api:
    def __init__(self, base: str, auth: str | None):
        kwargs = {}
        if auth:
            user, _, password = auth.partition(":")
            kwargs["auth"] = (user, password)
        self.http = httpx.Client(base_url=base, timeout=60, **kwargs)

    def call(self, method: str, path: str, body=None, *, exists_ok=False):
        """One request. SQLite answers 503 while another writer holds the database, and a
        loaded machine can time a request out: both are sent again. Every request sent here is
        safe to send twice (runs are created with an idempotency key); with `exists_ok`, a 409
        on a resend means the first attempt landed."""
        response = None
        for attempt in range(20):
            try:
                response = self.http.request(method, path, json=body)
            except (httpx.TimeoutException, httpx.NetworkError) as error:
                if attempt >= 4:
                    raise
                log(f"{method} {path}: {error.__class__.__name__}; sending it again")
                time.sleep(1 + attempt)
                continue
            if response.status_code == 409 and exists_ok and attempt > 0:
                return None
            if response.status_code != 503:
                break
            time.sleep(0.25 * (attempt + 1))
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def flow(self, name: str) -> str:
        return self.call("POST", "/flows/", {"name": name})["id"]

    def run(self, flow_id: str, name: str, tags=(), deployment_id=None) -> str:
        # The key makes a resent create answer the run the first attempt created.
        key = f"flowgate-harness-{uuid.uuid4()}"
        if deployment_id:
            body = {"name": name, "tags": list(tags), "idempotency_key": key}
            return self.call("POST", f"/deployments/{deployment_id}/create_flow_run", body)["id"]
        body = {"flow_id": flow_id, "name": name, "tags": list(tags), "idempotency_key": key}
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
        run_id = api.run(flow_id, f"{name}-{i:02d}", [name])
        if i == 0 and approval_schema is not None:
            api.store_input(run_id, APPROVAL_SCHEMA_KEY, approval_schema)
            api.pause(run_id, keyset=KEYSET)
        else:
            api.pause(run_id)
        return run_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(count)))


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
    if args.replicas < 1:
        raise SystemExit("--replicas takes a number from 1 up")
    if args.replicas > 1 and args.database != "postgres":
        raise SystemExit("--replicas needs --database postgres: SQLite serves one process")
    if args.postgres_cluster and args.database != "postgres":
        raise SystemExit("--postgres-cluster goes with --database postgres")
    ports = [args.port or free_port()] + [free_port() for _ in range(args.replicas - 1)]
    base = f"http://127.0.0.1:{ports[0]}"
    record = {
        "api_url": f"{base}/api",
        "api_urls": [f"http://127.0.0.1:{port}/api" for port in ports],
        "ui_url": base,
        "database": args.database,
        "auth": args.auth,
        "automations": args.automations,
        "api_ports": ports,
        "pids": [],
        "api_pids": [],
        "runs": {},
        # For tests that start real flows against this server.
        "python": str(BIN / "python"),
        "flows": str(HERE / "flows.py"),
    }
    save(state, record)

    if args.database == "postgres":
        if args.postgres_cluster:
            cluster = json.loads((Path(args.postgres_cluster) / "harness.json").read_text())["postgres"]
        else:
            cluster = start_postgres(state / "postgres")
            record["postgres"] = cluster
            save(state, record)
        name = "prefect_" + re.sub(r"[^a-z0-9]+", "_", state.name.lower()) + "_" + secrets.token_hex(3)
        record["database_url"] = create_database(cluster, name)
        record["postgres_version"] = cluster["version"]
        save(state, record)
    if args.replicas > 1:
        record["redis"] = start_redis(state / "redis")
        save(state, record)
        env = server_env(state, ports[0], record)
        log("migrating the database once, before the replicas start")
        subprocess.run([str(BIN / "prefect"), "server", "database", "upgrade", "-y"], env=env, check=True,
                       stdout=open(state / "migrate.log", "ab"), stderr=subprocess.STDOUT)
        services = spawn([str(BIN / "prefect"), "server", "services", "start"], env, state / "services.log")
        record["pids"].append(services.pid)
        save(state, record)

    log(f"starting prefect server(s) on {', '.join(record['api_urls'])} ({args.database})")
    start_api_servers(state, record)
    env = server_env(state, ports[0], record)
    pids = record["pids"]
    api = Api(record["api_url"], args.auth)
    if args.bare:
        if args.bulk:
            record["runs"]["bulk"] = seed_bulk_runs(api, args.bulk, None)
            save(state, record)
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
        save(state, record)

    runs: dict = {"plain": [], "input": []}
    deadline = time.time() + 180
    # The short pause first: its process must be killed before its own timeout fails the
    # run, however slow the machine is.
    procs.sort(key=lambda entry: entry[0] != "timed_out")
    for kind, id_file, proc in procs:
        attempts = 1
        while not id_file.exists() or not id_file.read_text().strip():
            if proc.poll() is not None and not id_file.exists():
                # On a loaded machine a flow's first request can time out before its run
                # exists; a fresh process gets a fresh run. Its log says what happened.
                if attempts >= 3:
                    raise SystemExit(f"flow {kind} exited early {attempts} times; see {state}")
                attempts += 1
                log(f"flow {kind} exited before its run paused; starting it again (attempt {attempts})")
                proc = spawn(proc.args, env, state / f"flow-{id_file.stem}-attempt-{attempts}.log")
                pids.append(proc.pid)
                save(state, record)
                continue
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
    save(state, record)
    log("seeded; waiting for the short pauses to time out")
    for key in ("timed_out", "suspended_timed_out"):
        timeout = api.call("GET", f"/flow_runs/{runs[key]}")["state"]["state_details"]["pause_timeout"]
        left = datetime.fromisoformat(timeout.replace("Z", "+00:00")) - datetime.now(timezone.utc)
        time.sleep(max(0.0, left.total_seconds()) + 0.5)
    print(json.dumps(record, indent=2))


def terminate(targets) -> None:
    """Sends each (process group, signal), then waits for them all; what is still there
    after 15 s is killed."""
    for pid, sig in targets:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
    deadline = time.time() + 15
    for pid, _ in targets:
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


def load(state_dir: str) -> dict | None:
    path = Path(state_dir) / "harness.json"
    return json.loads(path.read_text()) if path.exists() else None


def stop(args) -> None:
    record = load(args.state_dir)
    if record is None:
        log("nothing recorded; nothing to stop")
        return
    pids = record.get("pids", [])
    # Prefect first, so its connections close before the database stops.
    terminate([(pid, signal.SIGTERM) for pid in pids])
    infra = []
    if record.get("redis"):
        infra.append((record["redis"]["pid"], signal.SIGTERM))
    if record.get("postgres"):
        infra.append((record["postgres"]["pid"], signal.SIGINT))  # PostgreSQL's fast shutdown
    terminate(infra)
    log(f"stopped {len(pids) + len(infra)} process group(s)")


def kill_api(args) -> None:
    """SIGKILLs the API server(s), as a crash would; the database and flows stay."""
    record = load(args.state_dir)
    if record is None:
        raise SystemExit("nothing recorded")
    killed = record.get("api_pids", [])
    terminate([(pid, signal.SIGKILL) for pid in killed])
    record["pids"] = [pid for pid in record["pids"] if pid not in killed]
    record["api_pids"] = []
    save(Path(args.state_dir).resolve(), record)
    log(f"killed {len(killed)} API server(s)")


def start_api(args) -> None:
    state = Path(args.state_dir).resolve()
    record = load(args.state_dir)
    if record is None:
        raise SystemExit("nothing recorded")
    if record.get("api_pids"):
        raise SystemExit("the API server(s) are running; kill-api first")
    start_api_servers(state, record)
    log(f"API server(s) healthy again on {', '.join(record['api_urls'])}")


def start_postgres_only(args) -> None:
    """A PostgreSQL cluster that several `start --postgres-cluster DIR` share."""
    directory = Path(args.state_dir).resolve()
    record = {"pids": [], "postgres": start_postgres(directory)}
    save(directory, record)
    print(json.dumps(record, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start")
    p_start.add_argument("state_dir")
    p_start.add_argument("--port", type=int)
    p_start.add_argument("--auth", help="user:pass; enables PREFECT_SERVER_API_AUTH_STRING")
    p_start.add_argument("--demo", action="store_true", help="also seed mixed-state demo runs")
    p_start.add_argument("--bulk", type=int, default=0,
                         help="also seed N paused runs for bulk resumes (with --bare: only those)")
    p_start.add_argument("--bare", action="store_true", help="start the server only, seed nothing")
    p_start.add_argument("--automations", action="store_true",
                         help="run Prefect's triggers service too, so automations fire (rules)")
    p_start.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    p_start.add_argument("--postgres-cluster", metavar="DIR",
                         help="with --database postgres: a new database in the cluster start-postgres DIR started")
    p_start.add_argument("--replicas", type=int, default=1,
                         help="with --database postgres: N API servers on one database, Redis between them")
    for command in ("stop", "start-postgres", "kill-api", "start-api"):
        sub.add_parser(command).add_argument("state_dir")
    args = parser.parse_args()
    commands = {"start": start, "stop": stop, "start-postgres": start_postgres_only,
                "kill-api": kill_api, "start-api": start_api}
    commands[args.command](args)


if __name__ == "__main__":
    main()
