"""
### credit_nightly — one night of the credit-supervision pipeline

Reads the night's drop (`<drop>/<YYYY-MM-DD>/manifest.json`), ingests each file in its own mapped
task, passes the quality gate and publishes the night in one transaction: entity store, quarantine,
rosters, grades. A refused night fails the `publish` task and leaves yesterday's state unchanged.
Re-running a published night changes nothing.

Params: `drop` (default `$CREDIT_DROP`), `night` (default: the run's logical date).
The logic lives in `credit.night.steps`; `credit nightly --date D --drop DIR` runs the same functions.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task


def _night(params: dict[str, Any]) -> date:
    if params.get("night"):
        return date.fromisoformat(str(params["night"]))
    ctx = get_current_context()
    logical = ctx.get("logical_date") or ctx["dag_run"].run_after
    return logical.date()


@dag(
    dag_id="credit_nightly",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # nights are published in order
    doc_md=__doc__,
    tags=["credit"],
    params={
        "drop": Param(os.environ.get("CREDIT_DROP", "drop"), type="string", description="drop folder"),
        "night": Param(None, type=["null", "string"], description="night YYYY-MM-DD; default: logical date"),
        "allow_gap": Param(False, type="boolean", description="publish although earlier nights are missing"),
    },
)
def credit_nightly() -> None:
    @task
    def open_night(params: dict[str, Any] | None = None) -> dict[str, Any]:
        from credit.night.steps import open_night as open_
        from credit.settings import get_settings

        params = params or get_current_context()["params"]
        night = _night(params)
        opened = open_(Path(params["drop"]), night, get_settings(), allow_gap=bool(params.get("allow_gap")))
        files = [] if opened.already_published else [f.file for f in opened.manifest.files]
        return {"night": night.isoformat(), "drop": params["drop"], "files": files,
                "allow_gap": bool(params.get("allow_gap"))}

    @task
    def file_names(opened: dict[str, Any]) -> list[dict[str, str]]:
        return [{"night": opened["night"], "drop": opened["drop"], "file": f} for f in opened["files"]]

    @task
    def ingest(item: dict[str, str]) -> dict[str, Any]:
        from credit.night.steps import ingest_file
        from credit.settings import get_settings
        from credit.contract.sources import read_manifest

        manifest = read_manifest(Path(item["drop"]), date.fromisoformat(item["night"]))
        return ingest_file(manifest, item["file"], get_settings()).as_dict()

    @task
    def publish(opened: dict[str, Any], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
        from credit.night.steps import FileOutcome, NightRefused, gate
        from credit.night.steps import publish as publish_
        from credit.settings import get_settings
        from credit.contract.sources import read_manifest

        settings = get_settings()
        night = date.fromisoformat(opened["night"])
        manifest = read_manifest(Path(opened["drop"]), night)
        results = [FileOutcome(**o) for o in outcomes]
        failures = gate(manifest, results, settings)
        if failures:
            raise NightRefused(night, failures)
        summary = publish_(manifest, results, settings, gap_allowed=opened["allow_gap"])
        return {"night": summary["night"], "files": len(summary["files"])}

    opened = open_night()
    outcomes = ingest.expand(item=file_names(opened))
    publish(opened, outcomes)


credit_nightly()
