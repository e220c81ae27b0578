"""A grade is reproducible from its reasons: each value a reason shows, put through the item's
points as config/grading.yaml states them, gives the contribution the reason records (domain.md §7:
every grade with its reasons; an officer checks a tier from what it shows)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.config import load_config
from credit.settings import Settings
from tests.db.grading.helpers import all_filed, grades, night, reg


def _band_points(code: str, value: float) -> float:
    item = next(i for i in load_config("grading").data["scorecard"] if i["code"] == code)
    return max([float(b["points"]) for b in item["bands"] if value >= float(b["min"])], default=0.0)


def test_an_insured_drop_just_under_a_band_shows_a_value_under_it(engine: Engine, settings: Settings) -> None:
    # 1,000 insured a year before, 101 now: a drop of 89.9 %, under INSURED_DROP's 0.9 band (10 points),
    # so 5 points. Shown rounded to 0.9 it read as a 90 % drop that scored 5 — the officer who puts
    # 0.9 through the bands gets 10. 100 now: exactly 90 %, 10 points, shown 0.9.
    with engine.begin() as c:
        for u, now in (("DROP899", 101), ("DROP900", 100), ("DROP501", 499)):
            reg(c, u)
            all_filed(c, u)
            c.execute(sa.text(
                "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, "
                "last_night) values (:u, '2025-06', 1000, 0, 0, '2026-07-01', '2026-07-01'),"
                "                   (:u, '2026-06', :n, 0, 0, '2026-07-01', '2026-07-01')"), {"u": u, "n": now})
    night(engine, settings)
    g = grades(engine)

    def drop(u: str) -> dict[str, Any]:
        return next(r for r in g[u][1] if r["code"] == "INSURED_DROP")

    for u, contribution in (("DROP899", 5), ("DROP900", 10), ("DROP501", 5)):
        r = drop(u)
        assert r["contribution"] == contribution, (u, r)
        assert _band_points("INSURED_DROP", float(r["value"])) == contribution, (u, r)
    assert drop("DROP899")["value"] == 0.89
    assert drop("DROP900")["value"] == 0.9
    assert drop("DROP501")["value"] == 0.5
