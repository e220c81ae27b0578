"""
### credit_nightly — one night of the credit-supervision pipeline

Reads the night's drop (`<drop>/<YYYY-MM-DD>/manifest.json`), ingests each file in its own mapped
task, then `publish` passes the quality gate, publishes the night in one transaction (entity store,
quarantine, rosters, grades) and writes the nightly report from what was committed. A refused
night fails the task that refused it and leaves yesterday's state unchanged. Re-running a
published night changes nothing.

Params: `drop` (default `$CREDIT_DROP`), `night` (default: the run's logical date), `allow_gap`.
Each task calls one step of `credit.night.steps` (`open_night`, `ingest_file`, `publish_night`);
`credit nightly --date D --drop DIR` runs the same steps in one process (`run_night`).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from airflow.sdk import Param, dag, get_current_context, task

if TYPE_CHECKING:  # the DAG file is parsed often: the pipeline is imported only when a task runs
    from credit.night.records import FileRecord


class Opened(TypedDict):
    """What `open_night` hands on: the night, its drop, and its files (none when already published)."""

    night: str
    drop: str
    allow_gap: bool
    files: list[str]


class FileTask(TypedDict):
    night: str
    drop: str
    file: str


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
    def open_night() -> Opened:
        from credit.night import steps
        from credit.settings import get_settings

        params = get_current_context()["params"]
        night, allow_gap = _night(params), bool(params.get("allow_gap"))
        opened = steps.open_night(Path(params["drop"]), night, get_settings(), allow_gap=allow_gap)
        files = [] if opened.already_published else [f.file for f in opened.manifest.files]
        return {"night": night.isoformat(), "drop": str(params["drop"]), "allow_gap": allow_gap, "files": files}

    @task
    def file_tasks(opened: Opened) -> list[FileTask]:
        return [{"night": opened["night"], "drop": opened["drop"], "file": f} for f in opened["files"]]

    @task
    def ingest(item: FileTask) -> FileRecord:
        from credit.night import steps
        from credit.settings import get_settings

        manifest = steps.manifest_of(Path(item["drop"]), date.fromisoformat(item["night"]))
        return steps.ingest_file(manifest, item["file"], get_settings()).as_dict()

    @task
    def publish(opened: Opened, outcomes: list[FileRecord]) -> dict[str, Any]:
        from credit.night import steps
        from credit.night.records import FileOutcome
        from credit.settings import get_settings

        manifest = steps.manifest_of(Path(opened["drop"]), date.fromisoformat(opened["night"]))
        summary = steps.publish_night(manifest, [FileOutcome.from_dict(o) for o in outcomes], get_settings(),
                                      gap_allowed=opened["allow_gap"])
        return {"night": summary["night"], "files": len(summary["files"]),
                "already_published": bool(summary.get("already_published"))}

    # Task outputs are XComArgs while the DAG is built (resolved when the task runs), which the
    # tasks' own signatures cannot express.
    opened: Any = open_night()
    outcomes: Any = ingest.expand(item=file_tasks(opened))
    publish(opened, outcomes)


credit_nightly()
