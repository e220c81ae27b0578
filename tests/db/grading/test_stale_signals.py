"""Tax and social-security signals go stale (grading.yaml windows tax_years, social_security_months;
domain.md §11), as bank credit's do: an outsider's pass found a 2020 tax row (level D, 非正常户,
¥200,000 arrears) still grading an entity C on 2026-07-15, and a 2021-01 social-security period with
6 months' arrears still grading B — only the window relative to the entity's latest row applied.
A bureau's grading.yaml without the two windows keeps grading as before (no window)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.grading.indicators import create_population, social_security, tax
from credit.settings import Settings
from tests.db.grading.helpers import NIGHT, all_filed, grades, night, reg


def _tax(c: sa.Connection, uscc: str, year: int, level: str | None, since: str | None, arrears: float | None) -> None:
    c.execute(sa.text(
        "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, "
        "last_night) values (:u, :y, :g, :s, :a, '2026-07-01', '2026-07-01')"),
        {"u": uscc, "y": year, "g": level, "s": since, "a": arrears})


def _social(c: sa.Connection, uscc: str, period: str, insured: int | None, months: int | None) -> None:
    c.execute(sa.text(
        "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, last_night) "
        "values (:u, :p, :n, 0, :m, '2026-07-01', '2026-07-01')"), {"u": uscc, "p": period, "n": insured, "m": months})


def _outsiders_cases(engine: Engine) -> None:
    with engine.begin() as c:
        for u in ("TAX2020", "SOC2021"):
            reg(c, u)
            all_filed(c, u)
        _tax(c, "TAX2020", 2020, "D", "2020-03-01", 200000)
        _social(c, "SOC2021", "2021-01", 10, 6)


def _codes(g: tuple[str, list[dict[str, Any]]]) -> list[str]:
    return [r["code"] for r in g[1]]


def test_a_2020_tax_row_and_a_2021_social_period_no_longer_grade_in_2026(engine: Engine, settings: Settings) -> None:
    _outsiders_cases(engine)
    night(engine, settings)
    g = grades(engine)
    assert g["TAX2020"][0] == "A" and _codes(g["TAX2020"]) == ["NO_ADVERSE"], g["TAX2020"]
    assert g["SOC2021"][0] == "A" and _codes(g["SOC2021"]) == ["NO_ADVERSE"], g["SOC2021"]


def test_a_bureau_s_grading_yaml_without_the_windows_grades_as_before(engine: Engine, settings: Settings,
                                                                     tmp_path: Path) -> None:
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "grading.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  tax_years: 2\n" in text and "  social_security_months: 6\n" in text
    path.write_text(text.replace("  tax_years: 2\n", "").replace("  social_security_months: 6\n", ""), encoding="utf-8")
    _outsiders_cases(engine)
    night(engine, settings.model_copy(update={"config_dir": conf}))
    g = grades(engine)
    assert g["TAX2020"][0] == "C" and {"ABNORMAL_TAXPAYER", "TAX_LEVEL_D", "TAX_ARREARS"} <= set(_codes(g["TAX2020"]))
    assert g["SOC2021"][0] == "B" and _codes(g["SOC2021"]) == ["SOCIAL_ARREARS"]


def _read(engine: Engine, on: date) -> tuple[list[Any], list[Any]]:
    """Per entity in USCC order: (tax level, 非正常户, arrears) and (headcount, arrears months) on ``on``
    with the bundled windows (tax_years 2, social_security_months 6)."""
    with engine.begin() as c:
        n = create_population(c)
        t = tax(c, on, n, 2)
        s = social_security(c, on, n, 12, 6)
        c.rollback()
    taxed = [(None if pd.isna(r.tax_grade) else r.tax_grade, bool(r.abnormal_taxpayer), float(r.tax_arrears))
             for r in t.itertuples()]
    social = [(None if pd.isna(k) else int(k), int(m))
              for k, m in zip(s["insured_count"], s["social_arrears_months"], strict=True)]
    return taxed, social


def test_the_tax_window_s_edge_by_year(engine: Engine) -> None:
    # tax_years 2: a night of 2026 reads 2024 onwards — 2024 (the edge) counts, 2023 does not; a
    # night of 2025 still reads 2023; 31 December and 1 January either side of the year's move.
    with engine.begin() as c:
        for u, year in (("T1", 2023), ("T2", 2024), ("T3", 2025)):
            reg(c, u)
            _tax(c, u, year, "D", "2023-05-01", 500)
    d, none = ("D", True, 500.0), (None, False, 0.0)
    assert _read(engine, date(2025, 12, 31))[0] == [d, d, d]
    assert _read(engine, date(2026, 1, 1))[0] == [none, d, d]
    assert _read(engine, NIGHT)[0] == [none, d, d]
    assert _read(engine, date(2026, 12, 31))[0] == [none, d, d]
    assert _read(engine, date(2027, 1, 1))[0] == [none, none, d]


def test_within_the_tax_window_the_latest_year_s_rules_stand(engine: Engine) -> None:
    # The window only leaves years out: 2024's level behind 2025's empty one still counts; 2023's
    # arrears behind 2024's unknown arrears do not (2023 is stale in 2026).
    with engine.begin() as c:
        reg(c, "W1")
        _tax(c, "W1", 2023, "C", None, 900)
        _tax(c, "W1", 2024, "D", None, None)
        _tax(c, "W1", 2025, None, None, None)
    assert _read(engine, NIGHT)[0] == [("D", False, 0.0)]
    assert _read(engine, date(2025, 12, 31))[0] == [("D", False, 900.0)]


def test_the_social_security_window_s_edge_by_month(engine: Engine) -> None:
    # social_security_months 6: a night of July 2026 reads 2026-01 onwards (the edge counts, from the
    # first to the last day of July), 2025-12 does not; a night of 30 June still reads 2025-12, one of
    # 1 August no longer reads 2026-01.
    with engine.begin() as c:
        for u, period in (("S1", "2025-12"), ("S2", "2026-01"), ("S3", "2026-02")):
            reg(c, u)
            _social(c, u, period, 10, 4)
    on, off = (10, 4), (None, 0)
    assert _read(engine, date(2026, 6, 30))[1] == [on, on, on]
    assert _read(engine, date(2026, 7, 1))[1] == [off, on, on]
    assert _read(engine, date(2026, 7, 31))[1] == [off, on, on]
    assert _read(engine, date(2026, 8, 1))[1] == [off, off, on]


def test_a_stale_period_is_not_read_behind_an_empty_current_one(engine: Engine) -> None:
    # Each field is the latest period's that carries it (contracts.md §1), within the window: March's
    # unknown arrears months do not bring back 2025-11's 5 months on a night of July 2026; the headcount
    # of March counts and its 12-month trend still reads 2025-03, outside the window.
    with engine.begin() as c:
        reg(c, "G1")
        _social(c, "G1", "2025-03", 40, 0)
        _social(c, "G1", "2025-11", 30, 5)
        _social(c, "G1", "2026-03", 4, None)
        n = create_population(c)
        s = social_security(c, NIGHT, n, 12, 6)
        c.rollback()
    assert (int(s["insured_count"][0]), int(s["social_arrears_months"][0]), float(s["insured_drop"][0])) == (4, 0, 0.9)


def test_a_period_after_the_night_s_month_waits_for_its_month(engine: Engine) -> None:
    # A period later than the night's month counted as the latest headcount and arrears (no upper
    # bound): a store holding 2026-08 (loaded before the ingest held such a period, contracts.md §1)
    # graded a night of July on August's 1 insured and 6 months' arrears. It counts from 1 August.
    with engine.begin() as c:
        reg(c, "F1")
        _social(c, "F1", "2025-07", 10, 0)
        _social(c, "F1", "2025-08", 10, 0)
        _social(c, "F1", "2026-07", 10, 0)
        _social(c, "F1", "2026-08", 1, 6)
        n = create_population(c)
        july = social_security(c, date(2026, 7, 31), n, 12, 6)
        august = social_security(c, date(2026, 8, 1), n, 12, 6)
        c.rollback()
    shown = [(int(s["insured_count"][0]), int(s["social_arrears_months"][0]), float(s["insured_drop"][0]))
             for s in (july, august)]
    assert shown == [(10, 0, 0.0), (1, 6, 0.9)], shown
