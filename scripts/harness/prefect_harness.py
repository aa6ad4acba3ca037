"""Starts a real Prefect server on loopback and seeds it with real paused runs.

    python prefect_harness.py start STATE_DIR [--port N] [--auth USER:PASS] [--demo]
        [--showcase] [--bulk N] [--bare] [--database sqlite|postgres] [--postgres-cluster DIR]
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
  of a typed RunInput (nested model, lists), and one with a short timeout whose process
  exits when its wait ends, before anything marks the run failed (the server's
  pause-expiration service is disabled, so the run stays PAUSED past its timeout);
- through the REST API: a suspended run (pause_reschedule) of a deployment, a suspended run
  whose deployment was deleted, paused runs whose stored schema is missing, not JSON,
  circular or invalid, and a completed run;
- with --bulk N, N paused runs for bulk resumes (the first asks for input);
- with --demo, more runs in mixed states with tags, for the console's tests;
- with --showcase, instead of all of the above, the console's demo (`showcase.py`): a
  runner serving four deployments whose runs wait for a person — a release to production
  with its change summary, a backfill asking how far back to go, a data-quality gate with
  its failing checks, a model promotion — one pause that timed out, and runs in other
  states; no adversarial fixtures;
- with --bare, nothing but the --bulk runs, if asked for (none ask for input).

It writes STATE_DIR/harness.json ({api_url, api_urls, ui_url, database, pids, runs, …})
and prints it. `stop` stops exactly the processes `start` recorded there, by process group:
Prefect's first, then PostgreSQL (fast shutdown) and Redis. A `start` that fails part-way
stops what it had started before it exits.

Where things are: this file is the command line and the order of a start; `processes.py`
starts and stops the processes (Prefect, PostgreSQL, Redis); `seeding.py` creates the runs
through the REST API; `flows.py` holds the real flows that pause.
"""


import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

# The modules beside this script, however it is started.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import (BIN, LOG, create_database, free_port, load, log, save, server_env, spawn,  # noqa: E402
                       start_api_servers, start_postgres, start_redis, terminate)
from seeding import (TIMED_OUT_AFTER, Api, seed_api_runs, seed_bulk_runs, seed_demo_runs,  # noqa: E402
                     seed_timed_out, wait_input_schema, wait_paused)

HERE = Path(__file__).resolve().parent


def start(args) -> None:
    state = Path(args.state_dir).resolve()
    state.mkdir(parents=True, exist_ok=True)
    LOG["name"] = state.name
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
        "prefect_version": installed_prefect(),
        "flows": str(HERE / "flows.py"),
    }
    save(state, record)
    args.recorded = True  # from here on, what fails stops what this start recorded

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
    start_api_servers(state, record, movable=not args.port)
    env = server_env(state, ports[0], record)
    pids = record["pids"]
    api = Api(record["api_url"], args.auth)
    if args.showcase:
        record["runs"] = seed_showcase(api, state, env, record)
        save(state, record)
        print(json.dumps(record, indent=2))
        return
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
        proc = spawn([str(BIN / "python"), str(HERE / "flows.py"), kind, str(id_file), str(timeout)],
                     env, state / f"flow-{i}-{kind}.log")
        pids.append(proc.pid)
        procs.append((kind, id_file, proc))
        # Recorded at once, so `stop` finds every process even if `start` is interrupted.
        save(state, record)

    runs: dict = {"plain": [], "input": []}
    # Seven servers seeding side by side beside a release build (the test command) start some
    # seventy Python processes on two cores: a flow may take minutes to pause there.
    deadline = time.time() + 420
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
            proc.wait(timeout=max(1.0, deadline - time.time()))
            runs["completed"] = run_id
            continue
        wait_paused(api, run_id, deadline)
        if kind in ("input", "release"):
            wait_input_schema(api, run_id, deadline)
        if kind == "timed_out":
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


def seed_showcase(api: Api, state: Path, env: dict, record: dict) -> dict:
    """Starts the showcase's runner, creates a run of each of its deployments and waits until
    each waits for a person; then a pause that timed out and runs in other states."""
    from showcase import DEPLOYMENTS

    log("starting the showcase's runner (four deployments)")
    runner_env = dict(env, PREFECT_RUNNER_POLL_FREQUENCY="1")
    runner = spawn([str(BIN / "python"), str(HERE / "showcase.py")], runner_env, state / "showcase-runner.log")
    record["pids"].append(runner.pid)
    save(state, record)
    names = [name for _, name, _, _ in DEPLOYMENTS]
    deadline = time.time() + 180
    while True:
        found = api.call("POST", "/deployments/filter", {"deployments": {"name": {"any_": names}}})
        if len(found) == len(names):
            break
        if runner.poll() is not None:
            raise SystemExit(f"the showcase's runner exited; see {state / 'showcase-runner.log'}")
        if time.time() > deadline:
            raise SystemExit("the showcase's deployments did not appear in time")
        time.sleep(0.5)
    by_name = {d["name"]: d for d in found}
    runs = {}
    for _, name, _, tags in DEPLOYMENTS:
        deployment = by_name[name]
        runs[name] = api.run(deployment["flow_id"], None, tags, deployment["id"])
    for _, name, _, _ in DEPLOYMENTS:
        wait_paused(api, runs[name], deadline)
    runs["timed_out"] = seed_timed_out(api)
    runs["other_states"] = seed_demo_runs(api, named=False)
    left = TIMED_OUT_AFTER + 0.5
    log(f"seeded; waiting {left:.0f} s for the short pause to time out")
    time.sleep(left)
    return runs


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


def print_server_log_tails(state: Path, lines: int = 40) -> None:
    """The last lines of each Prefect server's log, so a start that failed in CI says why
    (the server logs the cause of each 503 it answered)."""
    for path in sorted(state.glob("server*.log")):
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        log(f"the last {len(tail)} lines of {path}:\n" + "\n".join(tail))


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


def installed_prefect() -> str:
    from importlib.metadata import version
    return version("prefect")


def run_under_the_right_prefect(args) -> None:
    """Starts this script again under the interpreter of the Prefect release asked for (`start
    --prefect VERSION`), or of the one a running harness was started with (`start-api`), when
    it is not the one running it."""
    wanted = None
    if args.command == "start" and args.prefect and args.prefect != installed_prefect():
        found = subprocess.run([str(HERE.parent / "prefect-venv.sh"), args.prefect],
                               capture_output=True, text=True)
        if found.returncode != 0:
            raise SystemExit(f"Prefect {args.prefect} could not be installed:\n{found.stderr}")
        wanted = found.stdout.strip().splitlines()[-1]
    elif args.command == "start-api":
        record = load(args.state_dir) or {}
        if record.get("python") and Path(record["python"]) != Path(sys.executable):
            wanted = record["python"]
    if wanted:
        os.execv(wanted, [wanted, str(Path(__file__).resolve()), *sys.argv[1:]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start")
    p_start.add_argument("state_dir")
    p_start.add_argument("--port", type=int)
    p_start.add_argument("--auth", help="user:pass; enables PREFECT_SERVER_API_AUTH_STRING")
    p_start.add_argument("--demo", action="store_true", help="also seed mixed-state demo runs")
    p_start.add_argument("--showcase", action="store_true",
                         help="seed the console's demo instead: a team's morning of runs waiting for people")
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
    p_start.add_argument("--prefect", metavar="VERSION",
                         help="run this Prefect release (its own virtual environment, made once by "
                              "scripts/prefect-venv.sh); default: the project's, 3.9.1")
    for command in ("stop", "start-postgres", "kill-api", "start-api"):
        sub.add_parser(command).add_argument("state_dir")
    args = parser.parse_args()
    run_under_the_right_prefect(args)
    commands = {"start": start, "stop": stop, "start-postgres": start_postgres_only,
                "kill-api": kill_api, "start-api": start_api}
    if args.command != "start":
        commands[args.command](args)
        return
    try:
        start(args)
    except BaseException as error:
        # A start that fails part-way (a flow that does not pause, seeding refused, Ctrl-C)
        # stops what it started rather than leaving servers running for someone to find.
        if getattr(args, "recorded", False):
            log(f"start failed ({error.__class__.__name__}: {error}); stopping what it started")
            stop(args)
            print_server_log_tails(Path(args.state_dir))
        raise


if __name__ == "__main__":
    main()
