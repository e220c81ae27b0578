"""The nights as Prometheus metrics (issue 15), read from the database when scraped.

A :class:`NightCollector` asks ``night_runs``, ``file_loads`` and ``quality_results`` at each
scrape, so any process connected to the database — ``credit serve`` — serves the same figures,
whichever worker published the night. Gauges describe the latest published night:

- ``credit_nights_published`` — published nights;
- ``credit_night_last_published_date_seconds`` — the latest night (its date, 00:00 UTC, as a Unix
  time) and ``credit_night_last_finished_timestamp_seconds`` — when it was published: alert when
  ``time() - credit_night_last_published_date_seconds`` passes two days (a night is late);
- ``credit_night_rows{source,outcome}`` (``in``/``accepted``/``quarantined``) and
  ``credit_night_quarantine_share{source}`` — the share the quality gate compares with its ceiling
  (``quality.yaml``);
- ``credit_night_failed_expectations{source}`` — expectations that did not hold (the quality view);
- ``credit_night_stage_seconds{stage}`` — the night's timings per stage;
- ``credit_night_decisions`` and ``credit_night_tier_entities{tier}`` — roster decisions, tiers;
- ``credit_night_metrics_up`` — 0 when the database could not be read (the scrape still answers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, time

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from credit import sqlfiles

log = logging.getLogger(__name__)


class NightCollector(Collector):
    """Night metrics read from the database at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("credit_night_metrics_up", "1 when the nights could be read from the database")
        try:
            with self.engine.connect() as conn:
                latest = conn.execute(sqlfiles.statement("night/metrics_latest")).mappings().one()
                files = conn.execute(sqlfiles.statement("night/metrics_files")).mappings().all()
        except SQLAlchemyError as e:
            log.warning("night metrics: database not readable: %s", e.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("credit_nights_published", "Published nights", value=int(latest["published"]))
        if latest["night"] is None:
            return
        night = datetime.combine(latest["night"], time(0), UTC).timestamp()
        yield GaugeMetricFamily("credit_night_last_published_date_seconds",
                                "The latest published night's date (00:00 UTC) as a Unix time", value=night)
        yield GaugeMetricFamily("credit_night_last_finished_timestamp_seconds",
                                "When the latest night was published (Unix time)",
                                value=latest["finished_at"].timestamp())
        rows = GaugeMetricFamily("credit_night_rows", "Rows of the latest night per source: in, accepted, "
                                 "quarantined", labels=["source", "outcome"])
        share = GaugeMetricFamily("credit_night_quarantine_share",
                                  "Quarantined / rows in, per source, of the latest night", labels=["source"])
        failed = GaugeMetricFamily("credit_night_failed_expectations",
                                   "Expectations that did not hold, per source, on the latest night", labels=["source"])
        for f in files:
            for outcome, column in (("in", "rows_in"), ("accepted", "accepted"), ("quarantined", "quarantined")):
                rows.add_metric([f["source"], outcome], int(f[column]))
            share.add_metric([f["source"]], int(f["quarantined"]) / int(f["rows_in"]) if f["rows_in"] else 0.0)
            failed.add_metric([f["source"]], int(f["failed_expectations"]))
        yield from (rows, share, failed)
        stages = GaugeMetricFamily("credit_night_stage_seconds", "Seconds per stage of the latest night",
                                   labels=["stage"])
        for stage, seconds in (latest["stages"] or {}).items():
            stages.add_metric([str(stage)], float(seconds))
        yield stages
        if latest["decisions"] is not None:
            yield GaugeMetricFamily("credit_night_decisions", "Roster decisions of the latest night",
                                    value=int(latest["decisions"]))
        tiers = GaugeMetricFamily("credit_night_tier_entities", "Entities per tier after the latest night",
                                  labels=["tier"])
        for tier, n in (latest["tiers"] or {}).items():
            tiers.add_metric([str(tier)], int(n))
        yield tiers
