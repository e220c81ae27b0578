"""The data quality view (issue 15): every published night's Great Expectations results are kept,
one row per expectation and file, with what it measured; only published nights are visible."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.manifest import read_manifest
from credit.contract.sources import SOURCES
from credit.night import steps
from credit.night.issues import NightRefused
from credit.night.quality_results import night_results, quality_nights
from credit.night.suites import contract_expectations
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N13, N14 = date(2026, 7, 13), date(2026, 7, 14)
ROWS = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
BAD = [dict(registration_row(code(body="MA2B3C99")), uscc="NOT-A-CODE")]


def _rows(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.text("select count(*) from quality_results")).scalar_one())


def test_every_expectation_of_a_published_night_is_kept_with_its_counts(settings: Settings, engine: Engine,
                                                                       tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS + BAD)})
    write_night(drop, N14, {"registration.csv": csv_file("registration", "delta", ROWS[:4])})
    manifest = read_manifest(drop, N13)
    for f in manifest.files:
        steps.ingest_file(manifest, f.file, settings)
    assert _rows(engine) == 0                    # staged, not published: nobody sees it yet
    steps.publish_night(manifest, None, settings)
    suite = contract_expectations(SOURCES["registration"])
    with engine.connect() as c:
        results = night_results(c, N13)
    assert len(results) == len(suite)            # every expectation, the ones that held too
    assert [r["expectation"] for r in results] == [e["type"] for e in suite]
    regex = next(r for r in results if r["column"] == "uscc" and r["expectation"].endswith("match_regex"))
    assert (regex["success"], regex["element_count"], regex["unexpected_count"]) == (False, 11, 1)
    assert regex["unexpected_percent"] == pytest.approx(100 / 11)
    assert "格式：" in regex["parameters"] and regex["label"] == "符合格式 (matches the format)"
    share = next(r for r in results if r["expectation"].startswith("expect_column_proportion"))
    assert share["critical"] and share["success"] and share["observed_value"] == pytest.approx(1.0)
    assert share["kwargs"] == {"column": "uscc", "min_value": 0.9}    # no GX batch id
    steps.run_night(drop, N14, settings)
    with engine.connect() as c:
        nights = quality_nights(c)
        later = night_results(c, N14)
    assert [(n["night"], n["files"], n["expectations"]) for n in nights] == \
        [(N14, 1, len(suite)), (N13, 1, len(suite))]
    assert nights[1]["failed"] >= 1 and nights[0]["failed"] == 0
    trend = next(r for r in later if r["seq"] == regex["seq"])["trend"]
    assert [(t["night"], t["success"]) for t in trend] == [(N13, False), (N14, True)]
    assert trend[0]["value"] == pytest.approx(100 / 11) and trend[1]["value"] == 0


def test_a_refused_night_leaves_no_results_and_a_rerun_publishes_them_once(settings: Settings, engine: Engine,
                                                                         tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    write_night(drop, N14, {"registration.csv": csv_file("registration", "delta", ROWS[:1])})
    n14 = read_manifest(drop, N14)
    steps.ingest_file(n14, "registration.csv", settings)
    with pytest.raises(NightRefused):            # 13 is not published yet
        steps.publish_night(n14, None, settings)
    assert _rows(engine) == 0
    steps.run_night(drop, N13, settings)
    steps.run_night(drop, N13, settings)         # a published night again: nothing changes
    first = _rows(engine)
    steps.publish_night(n14, None, settings)
    with engine.connect() as c:
        assert [n["night"] for n in quality_nights(c)] == [N14, N13]
    assert _rows(engine) == 2 * first
    with engine.begin() as c, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        c.execute(sa.text("delete from quality_results"))


def test_a_published_night_whose_every_row_was_quarantined_keeps_its_results(settings: Settings, engine: Engine,
                                                                            tmp_path: Path) -> None:
    """Both rows of the night's only file have the wrong field count: quarantined before the suite
    sees them. The night publishes (2 rows are below ``ceiling_min_rows``: only rows are judged),
    and its results are kept, over zero rows checked (an outsider's acceptance pass, s36)."""
    from tests.dropkit import csv_bytes

    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    broken = csv_bytes("registration", [], "utf-8", False) + "X1,名称\nX2,名称\n".encode()
    write_night(drop, N14, {"registration.csv": ("registration", "delta", broken, "utf-8", 2)})
    steps.run_night(drop, N13, settings)
    steps.run_night(drop, N14, settings)
    with engine.connect() as c:
        quarantined = c.execute(sa.text("select count(*) from quarantine where night = :n"), {"n": N14}).scalar_one()
        nights = quality_nights(c)
        results = night_results(c, N14)
    assert quarantined == 2
    suite = contract_expectations(SOURCES["registration"])
    assert [(n["night"], n["files"], n["expectations"], n["failed"]) for n in nights][0] == (N14, 1, len(suite), 0)
    assert [r["expectation"] for r in results] == [e["type"] for e in suite]
    assert all(r["success"] for r in results)
    rows = [r for r in results if r["element_count"] is not None]
    assert rows and all((r["element_count"], r["unexpected_count"]) == (0, 0) for r in rows)
    share = next(r for r in results if r["expectation"].startswith("expect_column_proportion"))
    assert share["observed_value"] is None and share["trend"][-1]["value"] is None
