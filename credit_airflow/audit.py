"""The scheduled audit of the decision log (``dags/credit_audit.py``): what links it to the night
and what its failure carries to the operators' alert.

``PUBLISHED`` is the asset the nightly DAG's ``publish`` task updates when it succeeds; the audit
DAG is scheduled on it, so it runs after each published night (a backlog's nights coalesce into
one run) in a DAG run of its own: a broken chain never fails, delays or blocks the night.
:class:`ChainBroken` is how its task fails on a broken chain: at once, without retries, with the
first broken decision and night, which :func:`credit_airflow.alerts.compose` names.
"""

from __future__ import annotations

from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException

PUBLISHED = Asset(name="credit_night_published", uri="credit://nights/published")


class ChainBroken(AirflowFailException):
    """``credit audit verify`` would exit 1: the log or a record of its heads does not hold."""

    def __init__(self, message: str, seq: int | None, night: str | None) -> None:
        super().__init__(message)
        self.seq = seq
        self.night = night
