"""
### credit_nightly — one night of the credit-supervision pipeline

Waits for the night's `<drop>/<YYYY-MM-DD>/manifest.json` (a deferrable sensor: the triggerer
polls, no worker slot is held), ingests each file in its own mapped task (its rows staged in
PostgreSQL, keyed by night, manifest digest and file; XCom carries only that key, so the tasks may
run on different worker hosts), then `plan_partitions` splits the night into region partitions
(`config/partitions.yaml`: by province or prefecture of the USCC's division code, at most
`max_partitions`; param `partitions` overrides the cap) and one mapped `partition` task per region
computes its store merge, roster decisions and grades and stages them in PostgreSQL
(`credit.night.partitions`, write-audit-publish: nothing of it is visible yet). Then `publish` passes
the quality gate, checks every partition is staged (`partition_missing` otherwise; `partition_stale`
when staged under another configuration or code revision), and in one transaction merges the store and applies the partitions' results (decisions numbered and chained
in the night's own order, grades, relations across regions graded again), so the whole night
becomes visible at once, and writes the nightly report from what was committed. A refused night fails the task
that refused it at once (no retry; the reason is in the task log and in the alert) and leaves
yesterday's state unchanged. Re-running a published night changes nothing.

**When** (`config/schedule.yaml`, the bureau's clock, Asia/Shanghai by default): night D is the
run's logical date in that timezone; its run starts at `run_at` on D+1 and waits up to
`drop_wait_hours` for the drop. Runs go one at a time (`max_active_runs=1`) and `catchup`
creates every night since `start_night` in order, as the night's gap refusal demands: a night
that is not published makes the following nights refuse with `night_gap` until it is (clear
the failed run after fixing its drop, then the later ones, oldest first; or, for nights 07-15 .. 07-17,
`airflow backfill create --dag-id credit_nightly --from-date 2026-07-15T01:00+08:00 --to-date 2026-07-17T01:00+08:00 --reprocess-behavior failed --max-active-runs 1`:
the CLI takes logical dates, `run_at` in the bureau's zone, never a bare night, docs/deploy.md).

**Faults**: database connection losses and lock time-outs are retried with exponential backoff
(`retries`, `retry_delay_seconds`); a refusal (`NightRefused`) raises `AirflowFailException`.
**Alerts**: a failed task, and a night not published by `published_by`, reach the operators by
e-mail and/or webhook (`CREDIT_ALERT_EMAIL`, `CREDIT_ALERT_WEBHOOK`; `credit_airflow.alerts`).
**Audit**: a successful `publish` updates the asset `credit_night_published`, on which the DAG
`credit_audit` walks the whole decision log (`credit audit verify`; also daily at `published_by`) and alerts on a broken chain.

Params: `drop` (default `$CREDIT_DROP`), `night` (default: the run's logical date in the
bureau's clock), `allow_gap`, `skip_nights` (delivered nights refused for good, given up with
`allow_gap`: `credit nightly --skip-night`), `full` (re-decide and re-grade every entity, issue 11), `accept_shrink`
(sources whose full snapshot truly shrank: `credit nightly --accept-shrink`), `partitions`
(the cap on region partitions). Each task calls one step of `credit.night.steps` (`open_night`,
`ingest_file`, `plan_night`, `run_partition`, `publish_night`); `credit nightly --date D --drop DIR
--partitions N` runs the same steps in one process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast

from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, dag, get_current_context, task
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from airflow.sdk.exceptions import AirflowFailException

from credit.schedule import load_schedule
from credit_airflow.alerts import NightAlert
from credit_airflow.audit import PUBLISHED
from credit_airflow.policy import task_defaults
from credit_airflow.sensors import ManifestSensor

SCHEDULE = load_schedule()  # config/schedule.yaml of CREDIT_CONFIG_DIR, read when the DAG is parsed


class Opened(TypedDict):
    """What `open_night` hands on: the night, its drop, and its files (none when already published)."""

    night: str
    drop: str
    allow_gap: bool
    skip_nights: NotRequired[list[str]]   # delivered nights given up (credit nightly --skip-night)
    files: list[str]


class FileTask(TypedDict):
    night: str
    drop: str
    file: str


class PartitionTask(TypedDict):
    """One region partition of the night (``credit.night.partitions.PartitionSpec``, JSON)."""

    night: str
    drop: str
    spec: dict[str, Any]


class Staged(TypedDict):
    """What an `ingest` task hands on: which staging its file's rows wait in (nothing on a local disk)."""

    night: str
    digest: str
    file: str


def night_of(params: Mapping[str, Any], dag_run: Any) -> str:
    """The run's night: the `night` param, else its logical date (or, without one, its run-after) in the bureau's clock."""
    if params.get("night"):
        return date.fromisoformat(str(params["night"])).isoformat()
    logical = getattr(dag_run, "logical_date", None) or dag_run.run_after
    return SCHEDULE.night_of(logical).isoformat()


def _night(params: Mapping[str, Any]) -> date:
    return date.fromisoformat(night_of(params, get_current_context()["dag_run"]))


def _days(texts: list[str]) -> list[date]:
    """The ``skip_nights`` param's nights; one that is no date fails the task at once, as a refusal does."""
    try:
        return [date.fromisoformat(t) for t in texts]
    except ValueError:
        raise AirflowFailException(f"skip_nights {texts!r}: 须为 YYYY-MM-DD 日期 (dates YYYY-MM-DD)") from None


@contextmanager
def refusals_fail_at_once() -> Iterator[None]:
    """A refusal is not a fault: fail the task now, without retries, with the reason in the log."""
    from credit.night.issues import NightRefused

    try:
        yield
    except NightRefused as e:
        raise AirflowFailException(f"批次 {e.night} 被拒绝，昨日的状态未变 (night {e.night} refused — "
                                   f"yesterday's state is unchanged): {e}") from e


alert: Callable[..., None] = NightAlert("failed")


@dag(
    dag_id="credit_nightly",
    schedule=CronDataIntervalTimetable(SCHEDULE.cron, timezone=SCHEDULE.timezone),
    start_date=SCHEDULE.logical_start(SCHEDULE.start_night),
    end_date=SCHEDULE.logical_start(SCHEDULE.end_night) if SCHEDULE.end_night else None,
    catchup=True,  # every night since start_night, oldest first: the night's gap refusal allows no other order
    max_active_runs=1,  # nights are published in order
    doc_md=__doc__,
    tags=["credit"],
    default_args=task_defaults(SCHEDULE, alert),
    # Night D not published by `published_by` on D+1: the triggerer sends the lateness alert.
    deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=SCHEDULE.lateness,
                           callback=AsyncCallback(NightAlert, kwargs={"kind": "late"})),
    user_defined_macros={"night_of": night_of},
    params={
        "drop": Param(os.environ.get("CREDIT_DROP", "drop"), type="string", description="drop folder"),
        "night": Param(None, type=["null", "string"],
                       description="night YYYY-MM-DD; default: the logical date in the bureau's clock"),
        "allow_gap": Param(False, type="boolean", description="publish although earlier nights are missing"),
        "skip_nights": Param([], type="array", items={"type": "string"},
                             description="with allow_gap: delivered nights YYYY-MM-DD refused for good, given up "
                                         "(credit nightly --skip-night)"),
        "full": Param(False, type="boolean", description="recompute every entity, not only what changed (issue 11)"),
        "accept_shrink": Param([], type="array", items={"type": "string"},
                               description="sources whose full snapshot truly shrank (credit nightly --accept-shrink)"),
        "partitions": Param(None, type=["null", "integer"], minimum=1,
                            description="at most N region partitions; default: config/partitions.yaml"),
    },
)
def credit_nightly() -> None:
    wait_for_manifest = ManifestSensor(
        task_id="wait_for_manifest",
        filepath="{{ params.drop }}/{{ night_of(params, dag_run) }}/manifest.json",
        deferrable=True,
        poke_interval=60,
        timeout=SCHEDULE.drop_wait.total_seconds(),
        retries=0,  # the wait itself is the patience; past it the night is late and the operators are told
    )

    @task
    def open_night() -> Opened:
        from credit.night import steps
        from credit.settings import get_settings

        params = get_current_context()["params"]
        night, allow_gap = _night(params), bool(params.get("allow_gap"))
        skip = [str(d) for d in params.get("skip_nights") or ()]
        with refusals_fail_at_once():
            opened = steps.open_night(Path(params["drop"]), night, get_settings(), allow_gap=allow_gap,
                                      skip_nights=_days(skip))
        files = [] if opened.already_published else [f.file for f in opened.manifest.files]
        return {"night": night.isoformat(), "drop": str(params["drop"]), "allow_gap": allow_gap,
                "skip_nights": skip, "files": files}

    @task
    def file_tasks(opened: Opened) -> list[FileTask]:
        return [{"night": opened["night"], "drop": opened["drop"], "file": f} for f in opened["files"]]

    # Ingest and publish may run on different workers: the rows pass through the database's
    # staging tables (credit.night.staging), and XCom carries only their key.
    @task
    def ingest(item: FileTask) -> Staged:
        from credit.night import steps
        from credit.settings import get_settings

        with refusals_fail_at_once():
            manifest = steps.manifest_of(Path(item["drop"]), date.fromisoformat(item["night"]))
            steps.ingest_file(manifest, item["file"], get_settings())
        return {"night": item["night"], "digest": manifest.digest, "file": item["file"]}

    # No task takes the mapped tasks' output as an argument: only their order is needed, and reading
    # a lazy XCom sequence past its end logs a red "XCom not found" (the rows come from the staging).
    # The region partitions (issue 12): planned once the drop is staged, one mapped task each. A
    # night with no files (the platform had no changes) maps `ingest` over nothing, which skips it:
    # the plan runs all the same; a night published already plans no partition.
    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def plan_partitions(opened: Opened) -> list[PartitionTask]:
        from credit.night import steps
        from credit.settings import get_settings

        params = get_current_context()["params"]
        with refusals_fail_at_once():
            manifest = steps.manifest_of(Path(opened["drop"]), date.fromisoformat(opened["night"]))
            if steps.open_night(Path(opened["drop"]), manifest.night, get_settings(), allow_gap=opened["allow_gap"],
                                skip_nights=_days(opened.get("skip_nights", []))).already_published:
                return []
            cap = int(params["partitions"]) if params.get("partitions") else None
            planned = steps.plan_night(manifest, get_settings(), cap)
        return [{"night": opened["night"], "drop": opened["drop"], "spec": dict(spec)}
                for spec in planned]

    @task
    def partition(item: PartitionTask) -> dict[str, Any] | None:
        from credit.night import steps
        from credit.night.partitions import PartitionSpec
        from credit.settings import get_settings

        with refusals_fail_at_once():
            manifest = steps.manifest_of(Path(item["drop"]), date.fromisoformat(item["night"]))
            done = steps.run_partition(manifest, cast(PartitionSpec, item["spec"]), get_settings(),
                                       tuple(get_current_context()["params"].get("accept_shrink") or ()))
        return dict(done) if done is not None else None

    # Its success updates the asset the audit DAG `credit_audit` is scheduled on: the whole
    # decision log is walked after each published night, in a DAG run of its own.
    @task(trigger_rule=TriggerRule.NONE_FAILED, outlets=[PUBLISHED])
    def publish(opened: Opened, planned: list[PartitionTask]) -> dict[str, Any]:
        from credit.night import steps
        from credit.night.partitions import PartitionSpec
        from credit.settings import get_settings

        with refusals_fail_at_once():
            manifest = steps.manifest_of(Path(opened["drop"]), date.fromisoformat(opened["night"]))
            # The drop's outcomes come from the staging of its digest, whichever worker staged them
            # (the ingest tasks only run before this one): a file of the drop not staged whole is
            # refused under the publishing lock (`staging_missing`); so is a partition of the plan
            # not staged (`partition_missing`) or staged by other code or configuration
            # (`partition_stale`), whatever the partition tasks returned. The night's summary goes to this task's log
            # (credit.night.steps logs it line by line).
            plan = [cast(PartitionSpec, t["spec"]) for t in planned] or None
            summary = steps.publish_night(manifest, None, get_settings(), gap_allowed=opened["allow_gap"],
                                          skip_nights=_days(opened.get("skip_nights", [])),
                                          full=bool(get_current_context()["params"].get("full")), plan=plan,
                                          accept_shrink=tuple(get_current_context()["params"].get("accept_shrink") or ()))
        return {"night": summary["night"], "files": len(summary["files"]),
                "partitions": len(plan or []), "already_published": bool(summary.get("already_published"))}

    # Task outputs are XComArgs while the DAG is built (resolved when the task runs), which the
    # tasks' own signatures cannot express.
    opened: Any = open_night()
    wait_for_manifest >> opened
    staged: Any = ingest.expand(item=file_tasks(opened))
    planned: Any = plan_partitions(opened)
    staged >> planned
    parts: Any = partition.expand(item=planned)
    published: Any = publish(opened, planned)
    parts >> published


credit_nightly()
