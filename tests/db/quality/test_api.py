"""The quality view over HTTP: the bureau's page and JSON route, refused to everyone else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credit.contract.sources import SOURCES
from credit.night import steps
from credit.night.quality_results import TrendPoint
from credit.night.suites import contract_expectations
from tests.db.api.support import Live, live, signed_in  # noqa: F401
from tests.dropkit import code, csv_file, registration_row, write_night

N13, N14 = date(2026, 7, 13), date(2026, 7, 14)
ROWS = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
BAD = [dict(registration_row(code(body="MA2B3C99")), uscc="NOT-A-CODE")]


def two_nights(live: Live, tmp_path: Path) -> None:  # noqa: F811
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS + BAD)})
    write_night(drop, N14, {"registration.csv": csv_file("registration", "delta", ROWS[:3])})
    steps.run_night(drop, N13, live.settings)
    steps.run_night(drop, N14, live.settings)


def test_json_route_lists_nights_and_results_for_the_bureau_only(live: Live, tmp_path: Path) -> None:  # noqa: F811
    two_nights(live, tmp_path)
    with live.client("bureau") as h:
        nights = h.get("/v1/bureau/quality").json()["nights"]
        assert [n["night"] for n in nights] == ["2026-07-14", "2026-07-13"]
        doc = h.get("/v1/bureau/quality/2026-07-13").json()
        assert h.get("/v1/bureau/quality/2026-07-12").status_code == 404
        assert h.get("/v1/bureau/quality/yesterday").status_code == 422
    failed = [r for r in doc["results"] if not r["success"]]
    assert [(r["column"], r["unexpected_count"], r["element_count"]) for r in failed] == [("uscc", 1, 11)]
    assert failed[0]["trend"] == [{"night": "2026-07-13", "success": False,
                                   "value": failed[0]["unexpected_percent"]}]
    for role in (None, "public", "consumer"):
        with live.client(role) as h:
            assert h.get("/v1/bureau/quality/2026-07-13").status_code in (401, 403)
    with live.client() as h:
        assert "/v1/bureau/quality/{night}" in h.get("/openapi.json").json()["paths"]


def test_page_shows_each_expectation_its_observation_verdict_and_trend(live: Live, tmp_path: Path) -> None:  # noqa: F811
    with live.client() as h:                       # not signed in: to the sign-in form
        r = h.get("/bureau/quality/2026-07-13", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/bureau")
    with signed_in(live) as h:
        assert h.get("/bureau/quality", follow_redirects=False).status_code == 404   # nothing published yet
        two_nights(live, tmp_path)
        r = h.get("/bureau/quality", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/bureau/quality/2026-07-14")
        page = h.get("/bureau/quality/2026-07-13").text
        assert h.get("/bureau/quality/2026-13-45").status_code == 422
    assert f"{SOURCES['registration'].label}（registration.csv）：1 项未通过" in page
    assert "1 / 11 行不符合（9.09%）" in page and "未通过" in page and "通过" in page
    assert page.count("<svg") == len(contract_expectations(SOURCES["registration"]))   # a trend per expectation
    assert "style=" not in page                    # the Content-Security-Policy forbids inline styles
    assert "07-13 9.09%" in page                   # the trend's values, as text too
    # a page of the workbench like the others: its navigation, the officer, the bureau's today, sign-out
    assert 'class="bureau-nav"' in page and "今天：" in page and 'action="/bureau/logout"' in page


def test_sparkline_scale_starts_at_zero_and_marks_failures() -> None:
    from credit.api.quality import sparkline

    trend: list[TrendPoint] = [{"night": N13, "success": False, "value": 10.0},
                               {"night": N14, "success": True, "value": 0.0}]
    s = sparkline(trend, percent=True)
    assert s["top"] == "10.00%" and s["dots"][0][2] is False
    assert s["dots"][0][1] == 3 and s["dots"][1][1] == 25      # top of the scale, then the 0 line
    flat = sparkline([{"night": N13, "success": True, "value": 0.0}], percent=True)
    assert flat["top"] == "0.00%" and flat["dots"][0][1] == 25
