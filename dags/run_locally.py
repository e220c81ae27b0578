"""Run nights through the `credit_nightly` DAG on this machine, with no Airflow set-up by hand.

    python dags/run_locally.py --drop demo/drop 2026-07-13 2026-07-14 2026-07-15

Airflow's metadata database is created on the same PostgreSQL the pipeline uses (the embedded
server when ``CREDIT_DATABASE_URL`` is unset), in a database of its own, ``airflow_meta``;
``AIRFLOW_HOME`` lives under ``$CREDIT_HOME/airflow``. Each night runs with ``dag.test()``, which
executes the real tasks in this process, then its stored summary is printed. Exit 2 when a night
is refused, as with ``credit nightly``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from datetime import date
from pathlib import Path
from typing import Any

DAGS = Path(__file__).resolve().parent


def prepare_airflow() -> None:
    """Point Airflow at a metadata database beside ours and create its schema (before importing it)."""
    from sqlalchemy.engine import make_url

    from credit.db import create_database_if_missing, database_url
    from credit.settings import get_settings

    settings = get_settings()
    meta = make_url(database_url(settings)).set(database="airflow_meta").render_as_string(hide_password=False)
    create_database_if_missing(meta)
    home = settings.home.resolve() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX": "glob",
        # Task logs stay in $AIRFLOW_HOME/logs; the terminal shows the nights' summaries.
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
    })
    from airflow.utils import db as airflow_db

    airflow_db.initdb()


def without_deadlines(dag: Any) -> Any:
    """The DAG as ``dag.test()`` can run it: without its lateness alert.

    In Airflow 3.3.2 ``dag.test()`` finishes a run by looking its DAG's deadline alerts up by id,
    but an unserialized DAG holds the alerts themselves (the look-up fails). The alert is the
    scheduler's and the triggerer's business; a run in this process has no one to alert.
    """
    dag.deadline = None
    return dag


def quieten() -> None:
    """Leave libraries' deprecation chatter out of the officer's output. Called again after Airflow
    is imported: its start-up puts its own warning filters first, and the chatter came back."""
    for noise in ("GitWildMatchPattern", "Using `httpx` with", "XDG_RUNTIME_DIR"):
        warnings.filterwarnings("ignore", message=f".*{noise}.*")


def main() -> int:
    quieten()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drop", type=Path, required=True)
    parser.add_argument("nights", nargs="+", type=date.fromisoformat)
    args = parser.parse_args()
    prepare_airflow()
    from airflow.models import DagBag

    quieten()
    from credit.cli.output import console as bureau_console
    from credit.cli.summary import print_stored_summary

    # The command line's console: no emoji codes, and printed to a file or a CI log nothing is
    # wrapped at 80 columns (a rule would then fill the uncut width: a plain heading instead).
    console = bureau_console()
    dag = without_deadlines(DagBag(dag_folder=str(DAGS)).get_dag("credit_nightly"))
    for night in args.nights:
        console.print(f"── credit_nightly — {night} (Airflow dag.test) ──", style="bold")
        run = dag.test(run_conf={"drop": str(args.drop.resolve()), "night": night.isoformat()})
        if "success" not in str(run.state).lower():
            console.print(f"[bold red]night {night} refused or failed: see the task logs above; "
                          "yesterday's state is unchanged.[/bold red]")
            return 2
        print_stored_summary(console, night)
    return 0


if __name__ == "__main__":
    sys.exit(main())
