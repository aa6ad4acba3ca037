"""The processes the harness runs: Prefect's API server(s) and services with their
environment, a private PostgreSQL cluster, Redis; and how they are stopped. Each is started
in its own process group and recorded in STATE_DIR/harness.json before anything waits on it,
so `stop` (or a `start` that fails part-way) finds every one."""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


# Whose lines these are: several harnesses started side by side share one log.
LOG = {"name": "", "since": time.monotonic()}


def log(message: str) -> None:
    who = f" {LOG['name']}" if LOG["name"] else ""
    print(f"[harness{who} +{time.monotonic() - LOG['since']:.0f}s] {message}", file=sys.stderr, flush=True)


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
        # Why the server answered 503 (SQLite busy, a database connection lost), in its log.
        PREFECT_SERVER_LOG_RETRYABLE_ERRORS="true",
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
        made = subprocess.run(
            [postgres_bin("initdb"), "-D", str(data), "-U", "flowgate", "--auth=trust",
             "--encoding=UTF8", "--locale=C"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **as_user)
        (directory / "initdb.log").write_text(made.stderr)
        if made.returncode != 0:
            hint = ""
            if as_user and "Permission denied" in made.stderr:
                hint = (f" (PostgreSQL runs as uid {as_user['user']} here, since it refuses root: "
                        f"every directory above {directory} must be open to it)")
            raise SystemExit(f"initdb failed{hint}: {made.stderr.strip().splitlines()[-1]}")
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


def start_api_servers(state: Path, record: dict, movable: bool = False) -> None:
    """Starts the record's API server(s) on their ports and waits until each is healthy;
    `movable`: the ports were chosen here, and one taken meanwhile may be replaced.
    The first replica starts alone: replicas that start together on a fresh database race
    to register Prefect's block types, and the losers exit on a unique-constraint error
    (`uq_block_type__slug`, seen with Prefect 3.9.1 on PostgreSQL)."""
    started = []
    for index in range(len(record["api_ports"])):
        started.append(spawn_api_server(state, record, index))
        if index == 0:
            wait_api_server(state, record, movable, *started.pop())
    for entry in started:
        wait_api_server(state, record, movable, *entry)


def spawn_api_server(state: Path, record: dict, index: int) -> tuple:
    replicated = bool(record.get("redis"))
    args = [str(BIN / "prefect"), "server", "start"]
    if replicated:
        args.append("--no-services")
    log_path = state / (f"server-{index}.log" if replicated else "server.log")
    logged = log_path.stat().st_size if log_path.exists() else 0
    process = spawn(args, server_env(state, record["api_ports"][index], record), log_path)
    record["pids"].append(process.pid)
    record["api_pids"].append(process.pid)
    save(state, record)
    return index, process, log_path, logged


def wait_api_server(state: Path, record: dict, movable: bool, index: int, process, log_path: Path,
                    logged: int) -> None:
    """Waits until the index-th API server is healthy. A port chosen free can be taken before
    the server binds it (by any connection's own port, on a busy machine): if `movable`, the
    server is started again on another port, and the record says which."""
    for attempt in range(1, 4):
        port = record["api_ports"][index]
        try:
            wait_healthy(f"http://127.0.0.1:{port}", process, log_path)
            return
        except SystemExit:
            with open(log_path, "rb") as written:
                written.seek(logged)
                taken = b"already in use" in written.read().lower()
            if not (movable and taken) or attempt == 3 or process.poll() is None:
                raise
        port = free_port()
        log(f"port {record['api_ports'][index]} was taken before the server bound it; starting it on {port}")
        record["api_ports"][index] = port
        record["api_urls"][index] = f"http://127.0.0.1:{port}/api"
        if index == 0:
            record["api_url"], record["ui_url"] = record["api_urls"][0], f"http://127.0.0.1:{port}"
        _, process, log_path, logged = spawn_api_server(state, record, index)


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
                # A process this harness started itself (a `start` that failed part-way) stays a
                # zombie until it is reaped here.
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
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
