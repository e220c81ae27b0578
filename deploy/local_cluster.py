"""A local Airflow 3 cluster with the CeleryExecutor, without Docker, from the project's own venv.

    python deploy/local_cluster.py                       # `make airflow`: sample drop, UI, Ctrl-C stops all
    python deploy/local_cluster.py --drop DIR --start-night 2026-07-13 --end-night 2026-07-15

Starts Redis (Debian's ``redis-server``), then Airflow's api-server, scheduler, dag-processor,
triggerer and two Celery workers, each in its own process group, on the embedded PostgreSQL of
``<home>/pg`` (this process holds it up; ``CREDIT_DATABASE_URL`` names another server instead),
Airflow's metadata in a database of its own (``airflow``). Every port is a free one, so several
clusters can share a machine. Everything is stopped when this process ends, whatever ends it.
The UI uses Airflow's simple auth manager; the user ``admin`` and its password are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalCluster:
    """The cluster's processes and addresses; use :func:`running` to start and always stop it."""

    home: Path
    drop: Path
    config_dir: Path | None = None
    workers: int = 2
    concurrency: int = 2
    port: int = 0
    user: str = "admin"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    database_url: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def logs(self) -> Path:
        return self.home / "cluster-logs"

    # ----------------------------------------------------------------------------------------
    def _databases(self) -> tuple[str, str]:
        """The project's database URL and Airflow's, starting the embedded server when none is given."""
        from credit.db import create_database_if_missing, database_url
        from credit.settings import Settings

        url = database_url(Settings(home=self.home, database_url=os.environ.get("CREDIT_DATABASE_URL")))
        meta = make_url(url).set(database="airflow").render_as_string(hide_password=False)
        create_database_if_missing(meta)
        return url, meta

    def environment(self, meta: str, redis_port: int) -> dict[str, str]:
        airflow_home = self.home / "airflow"
        airflow_home.mkdir(parents=True, exist_ok=True)
        passwords = airflow_home / "passwords.json"
        passwords.write_text(json.dumps({self.user: self.password}))
        env = dict(os.environ)
        env.update({
            "CREDIT_HOME": str(self.home), "CREDIT_DATABASE_URL": self.database_url, "CREDIT_DROP": str(self.drop),
            "GX_ANALYTICS_ENABLED": "False",
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__FERNET_KEY": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.user}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
            "AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url, "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),  # one secret for every component
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.concurrency),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        })
        if self.config_dir:
            env["CREDIT_CONFIG_DIR"] = str(self.config_dir)
        return env

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        out = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)

    def start(self) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise SystemExit("redis-server is not installed: apt-get install redis-server")
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.database_url, meta = self._databases()
        redis_port = free_port()
        env = self.environment(meta, redis_port)
        self._start("redis", [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(self.home)], env)
        subprocess.run([str(BIN / "credit"), "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True)
        airflow = str(BIN / "airflow")
        for name in COMPONENTS:
            self._start(name, [airflow, name], env)
        for i in range(1, self.workers + 1):
            worker_env = dict(env, AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()))
            self._start(f"worker{i}", [airflow, "celery", "worker", "--celery-hostname", f"w{i}@%h",
                                       "--concurrency", str(self.concurrency)], worker_env)
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 240) -> None:
        """Until the api-server answers and the scheduler, dag-processor and triggerer report healthy."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            for name, p in self.processes.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}); see {self.logs / (name + '.log')}")
            try:
                last = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                if all((last.get(k) or {}).get("status") == "healthy"
                       for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(2)
        raise TimeoutError(f"the cluster did not become healthy in {timeout:.0f} s: {last}")

    def token(self) -> str:
        """A JWT for Airflow's REST API (v2)."""
        r = httpx.post(f"{self.url}/auth/token", json={"username": self.user, "password": self.password},
                       timeout=30)
        r.raise_for_status()
        return str(r.json()["access_token"])

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}/api/v2", timeout=30,
                            headers={"Authorization": f"Bearer {self.token()}"})

    def stop(self) -> None:
        """SIGTERM to every process group, SIGKILL to what is left after a grace period; Redis last."""
        order = [n for n in self.processes if n != "redis"] + (["redis"] if "redis" in self.processes else [])
        for name in order:
            _signal_group(self.processes[name], signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name in order:
            p = self.processes[name]
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(p, signal.SIGKILL)  # the group: task processes and pool children too
            p.wait()
        self.processes.clear()


def _signal_group(p: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(p.pid, sig)  # start_new_session: the group id is the process id
    except ProcessLookupError:
        pass


@contextmanager
def running(cluster: LocalCluster) -> Iterator[LocalCluster]:
    """Start the cluster and stop every process it started, on any exit (errors, SIGTERM, Ctrl-C)."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        signal.signal(signal.SIGTERM, previous)


def config_for(folder: Path, start_night: date, end_night: date | None) -> Path:
    """A copy of the bundled configuration whose schedule runs the nights start..end (catchup)."""
    from credit.settings import bundled

    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(bundled("config"), folder)
    path = folder / "schedule.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update({"version": f"{doc['version']}-local", "start_night": start_night.isoformat(),
                "end_night": end_night.isoformat() if end_night else None})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path(".credit-cluster"))
    parser.add_argument("--drop", type=Path, help="drop folder (default: a sample drop under --home)")
    parser.add_argument("--start-night", type=date.fromisoformat, default=date(2026, 7, 13))
    parser.add_argument("--end-night", type=date.fromisoformat, default=date(2026, 7, 15))
    parser.add_argument("--entities", type=int, default=2000, help="entities of the sample drop")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    home = args.home.resolve()
    drop = args.drop.resolve() if args.drop else home / "drop"
    if not args.drop and not drop.exists():
        nights = (args.end_night - args.start_night).days + 1
        subprocess.run([str(BIN / "credit"), "sample", "--entities", str(args.entities), "--nights", str(nights),
                        "--out", str(drop), "--seed", "1", "--start", args.start_night.isoformat()], check=True)
    port = args.port
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            port = free_port()
    cluster = LocalCluster(home=home, drop=drop, port=port, workers=args.workers,
                           config_dir=config_for(home / "config", args.start_night, args.end_night))
    print(f"starting Redis and Airflow (CeleryExecutor, {args.workers} workers); logs in {cluster.logs}", flush=True)
    try:
        with running(cluster):
            print(f"\nAirflow UI: {cluster.url}   user: {cluster.user}   password: {cluster.password}\n"
                  f"DAG credit_nightly is paused: unpause it to run the nights {args.start_night} .. "
                  f"{args.end_night} in order (catchup), or trigger one with conf {{\"night\": \"YYYY-MM-DD\"}}\n"
                  f"(and credit_audit, which walks the decision log after each published night and daily;\n"
                  f"credit_retention, which lists the operational months past their period after each night).\n"
                  f"Drop: {drop}; data: CREDIT_HOME={home} (embedded PostgreSQL). Ctrl-C stops everything.",
                  flush=True)
            while all(p.poll() is None for p in cluster.processes.values()):
                time.sleep(2)
            dead = [n for n, p in cluster.processes.items() if p.poll() is not None]
            print(f"{', '.join(dead)} exited; see {cluster.logs}; stopping the cluster", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("stopped", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
