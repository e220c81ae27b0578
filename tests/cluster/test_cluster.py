"""Three sample nights through a real Airflow cluster (CeleryExecutor, two workers, Redis), triggered
over the REST API, give the same store, rosters and grades as ``credit nightly`` (issue 12).

Slow (a few minutes): ``make test-cluster`` runs it alone; ``make test`` runs it once with the rest.
Needs Debian's ``redis-server`` (``.ci/run`` installs it); skipped without it outside CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from deploy.local_cluster import BIN, LocalCluster, config_for, running

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
NIGHTS = [date(2026, 7, 13) + timedelta(days=i) for i in range(3)]
FIGURES = Path(__file__).resolve().parents[1] / "artifacts" / "cluster_figures.json"  # read for docs/scaling.md
NOT_COMPARED = {"alembic_version", "night_runs"}  # night_runs holds timings and start times


@pytest.fixture(scope="module")
def base() -> Iterator[Path]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="crc", dir="/tmp"))  # short: the embedded server's socket lives here
    yield folder
    if (folder / "h" / "pg").exists():  # this process holds the cluster's embedded server: stop it first
        from credit.db import embedded_server

        embedded_server(folder / "h" / "pg").cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def table_rows(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every table's rows as sorted text tuples, leaving out the columns that record when (timestamptz)."""
    engine = sa.create_engine(url)
    out: dict[str, list[tuple[str, ...]]] = {}
    try:
        with engine.connect() as c:
            tables = c.execute(sa.text(
                "select table_name from information_schema.tables where table_schema = 'public' "
                "and table_type = 'BASE TABLE' order by 1")).scalars().all()
            for table in tables:
                if table in NOT_COMPARED:
                    continue
                columns = c.execute(sa.text(
                    "select column_name from information_schema.columns where table_schema = 'public' "
                    "and table_name = :t and data_type <> 'timestamp with time zone' order by ordinal_position"),
                    {"t": table}).scalars().all()
                select = ", ".join(f'cast("{col}" as text)' for col in columns)
                out[table] = sorted(tuple(r) for r in c.execute(sa.text(f'select {select} from "{table}"')).all())
    finally:
        engine.dispose()
    return out


def stages(url: str) -> dict[str, dict[str, float]]:
    """Each night's stage timings as recorded in its summary (the time inside the steps themselves)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text("select night, summary -> 'stages' from night_runs order by night")).all()
    finally:
        engine.dispose()
    return {str(night): dict(times) for night, times in rows}


def test_three_nights_on_the_cluster_equal_the_cli(base: Path) -> None:
    drop, home = base / "drop", base / "h"
    subprocess.run([str(BIN / "credit"), "sample", "--entities", "500", "--nights", str(len(NIGHTS)), "--out",
                    str(drop), "--seed", "1", "--start", NIGHTS[0].isoformat()], check=True, capture_output=True)
    config = config_for(base / "config", NIGHTS[0], NIGHTS[-1])
    cluster = LocalCluster(home=home, drop=drop, config_dir=config, workers=2, concurrency=2)
    t_start = time.monotonic()
    with running(cluster):
        started = time.monotonic() - t_start
        with cluster.api() as api:
            for _ in range(90):  # the dag-processor parses the DAG folder once it is up
                if api.get("/dags/credit_nightly").status_code == 200:
                    break
                time.sleep(2)
            t0 = time.monotonic()
            for night in NIGHTS:  # the night is the logical date in the bureau's clock
                r = api.post("/dags/credit_nightly/dagRuns",
                             json={"dag_run_id": f"night__{night}", "logical_date": f"{night}T01:00:00+08:00"})
                assert r.status_code == 200, r.text
            assert api.patch("/dags/credit_nightly", json={"is_paused": False}).status_code == 200
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                runs = api.get("/dags/credit_nightly/dagRuns", params={"order_by": "logical_date"}).json()["dag_runs"]
                if len(runs) >= len(NIGHTS) and all(r["state"] in ("success", "failed") for r in runs):
                    break
                time.sleep(5)
            elapsed = time.monotonic() - t0
            # Catchup (start..end night in the config) found the triggered nights and added none.
            assert [(r["dag_run_id"], r["state"]) for r in runs] == [(f"night__{n}", "success") for n in NIGHTS]
            tis = [ti for n in NIGHTS for ti in api.get(
                f"/dags/credit_nightly/dagRuns/night__{n}/taskInstances").json()["task_instances"]]
    assert not any(p.poll() is None for p in cluster.processes.values())  # all stopped

    durations = [ti["duration"] for ti in tis if ti.get("duration") is not None]
    hosts = sorted({ti["hostname"] for ti in tis if ti.get("hostname")})
    FIGURES.parent.mkdir(exist_ok=True)
    FIGURES.write_text(json.dumps({
        "nights": len(NIGHTS), "entities": 500, "task_instances": len(tis), "cluster_start_seconds": round(started, 1),
        "three_nights_seconds": round(elapsed, 1), "task_seconds_total": round(sum(durations), 1),
        "task_seconds_median": round(sorted(durations)[len(durations) // 2], 2), "worker_hosts": hosts,
        "tasks": [{k: ti.get(k) for k in ("dag_run_id", "task_id", "map_index", "duration", "try_number", "hostname",
                                          "queued_when", "start_date", "end_date")} for ti in tis],
    }, indent=1), encoding="utf-8")

    # The same drops through `credit nightly`, into a second database on the same server.
    cli_url = make_url(cluster.database_url).set(database="credit_cli").render_as_string(hide_password=False)
    from credit.db import create_database_if_missing

    create_database_if_missing(cli_url)
    env = dict(os.environ, CREDIT_DATABASE_URL=cli_url, CREDIT_HOME=str(base / "cli"), CREDIT_CONFIG_DIR=str(config),
               GX_ANALYTICS_ENABLED="False")
    subprocess.run([str(BIN / "credit"), "db", "upgrade"], env=env, check=True, capture_output=True)
    t_cli = time.monotonic()
    for night in NIGHTS:
        done = subprocess.run([str(BIN / "credit"), "nightly", "--date", night.isoformat(), "--drop", str(drop)],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    figures["cli_three_nights_seconds"] = round(time.monotonic() - t_cli, 1)
    figures["stages"] = {"cluster": stages(cluster.database_url), "cli": stages(cli_url)}  # inside the steps
    FIGURES.write_text(json.dumps(figures, indent=1), encoding="utf-8")

    on_cluster, by_cli = table_rows(cluster.database_url), table_rows(cli_url)
    assert on_cluster.keys() == by_cli.keys()
    for name in ("registration", "roster_decisions"):
        assert name in on_cluster and on_cluster[name], f"{name} is empty: the comparison would prove nothing"
    assert any("grade" in t and on_cluster[t] for t in on_cluster)
    different = [t for t in on_cluster if on_cluster[t] != by_cli[t]]
    assert different == [], f"tables that differ between the cluster and the CLI: {different}"
    print(f"cluster: {figures['three_nights_seconds']} s for three nights; "
          f"credit nightly: {figures['cli_three_nights_seconds']} s", file=sys.stderr)
