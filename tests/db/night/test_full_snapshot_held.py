"""A row held back from a ``full`` snapshot is not an entity gone from the source (contracts.md §1:
quarantine what is not unambiguous; the README: nothing is lost). The snapshot drops what it no
longer delivers, but keeps whatever a held-back row may stand for: its key when the row was
split into fields, every USCC a record that could not be split shows, and — when a held row's key
cannot be read at all — every row of the source, until a night delivers it readable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.sources import SOURCES
from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_bytes, registration_row, write_night

N13, N14, N15 = date(2026, 7, 13), date(2026, 7, 14), date(2026, 7, 15)
U = [code(body=f"MA2B3C{i:02d}") for i in range(20)]
REG = SOURCES["registration"].column_names


def _reg_file(lines: list[str], rows: int) -> tuple[str, str, bytes, str | None, int]:
    head = csv_bytes("registration", []).decode()
    return ("registration", "full", (head + "".join(line + "\n" for line in lines)).encode(), "utf-8", rows)


def _line(uscc: str, **over: str) -> str:
    return csv_bytes("registration", [registration_row(uscc, **over)]).decode().splitlines()[1]


def _reports(rows: list[tuple[str, str, str]]) -> tuple[str, str, bytes, str | None, int]:
    data = [{"uscc": u, "report_year": y, "filed_on": f"{int(y) + 1}-03-01", "employees": e,
             "revenue": "100.00", "total_tax": "1.00"} for u, y, e in rows]
    return ("annual_reports", "full", csv_bytes("annual_reports", data), "utf-8", len(data))


def _current(engine: Engine, table: str) -> list[tuple[str, ...]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(sa.text(f"select uscc from {table} order by uscc")).all()]


def _dropped(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(sa.text(
            "select night, uscc from registration_history where change = 'dropped' order by night, uscc")).all()]


def test_a_full_snapshot_keeps_what_its_held_back_rows_stand_for(settings: Settings, engine: Engine,
                                                                    tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    others = [(u, "2025", "3") for u in U[5:]]
    write_night(drop, N13, {"registration.csv": _reg_file([_line(u) for u in U], 20),
                            "annual_reports.csv": _reports([(U[0], "2024", "5"), (U[0], "2025", "6"),
                                                            (U[1], "2025", "7"), *others])})
    run_night(drop, N13, settings)
    # Night 14: U1's status is no status (held, its fields readable); U2's record has a field too
    # many (held, not split: its USCC read from the text); U3 is no longer delivered (dropped).
    # U0's 2024 report has employees "many" (held): none of U0's reports is dropped, though its
    # 2025 report is not delivered either.
    lines = [_line(u) for u in U]
    lines[1] = _line(U[1], status="sleeping")
    lines[2] = _line(U[2]) + ",stray"
    del lines[3]
    write_night(drop, N14, {"registration.csv": _reg_file(lines, 19),
                            "annual_reports.csv": _reports([(U[0], "2024", "many"), (U[1], "2025", "7"), *others])})
    summary = run_night(drop, N14, settings)
    held = {f["file"]: f["quarantined"] for f in summary["files"]}
    assert held == {"registration.csv": 2, "annual_reports.csv": 1}
    assert [u for (u,) in _current(engine, "registration")] == sorted(set(U) - {U[3]})
    assert _dropped(engine) == [(N14, U[3])]
    assert _current(engine, "annual_reports") == [(U[0],), (U[0],), (U[1],), *[(u,) for u, _, _ in others]]
    # Night 15: a row whose USCC is empty could be any entity: nothing is dropped tonight, not
    # even U4, which is no longer delivered; U1 and U2 come back readable.
    lines = [_line(u) for u in U if u not in (U[3], U[4])] + [_line("", name="无名公司")]
    write_night(drop, N15, {"registration.csv": _reg_file(lines, 19)})
    run_night(drop, N15, settings)
    assert [u for (u,) in _current(engine, "registration")] == sorted(set(U) - {U[3]})
    assert _dropped(engine) == [(N14, U[3])]
