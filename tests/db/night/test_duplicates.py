"""A file's duplicated keys at what its duplicates cost (issue 11, :mod:`credit.night.duplicates`).

Candidates are the accepted rows whose key's hash is seen twice (past the client's limit, whose key
PostgreSQL counts twice); PostgreSQL decides over them alone, and only the chunks holding them are
read again. What is staged must not depend on it: the same accepted rows, the same held-back rows
with their lines, rules, reasons and rows as delivered, the same outcome, whatever the chunks,
however the hashes collide, whoever counts the keys.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.contract import manifest as manifest_module
from credit.contract.sources import SOURCES, Source
from credit.night import duplicates
from credit.night.staging import FileStager, StagingKey, clear_published
from credit.settings import Settings
from tests.db.night.stagingkit import ingest_in_chunks, staged_state
from tests.dropkit import code, csv_bytes, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)


def _report(year: str, uscc: str, employees: str = "12") -> dict[str, str]:
    return {"uscc": uscc, "report_year": year, "filed_on": "2026-05-20", "employees": employees,
            "revenue": "1200000.50", "total_tax": "35000"}


def _reread(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The ``only`` of every read of a file that is not the whole (the chunks read again)."""
    calls: list[object] = []
    real = manifest_module.iter_records

    def spy(df: Any, chunk_rows: int, only: Any = None, **kw: Any) -> Any:
        if only is not None:
            calls.append(sorted(only))
        return real(df, chunk_rows, only, **kw)

    monkeypatch.setattr("credit.night.ingest.iter_records", spy)
    return calls


def test_copies_straddling_chunks_of_a_gb18030_file_are_found_and_only_their_chunks_read_again(
        settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = (code(body=f"MA2B3D{i:02d}") for i in range(3))
    rows = [_report(str(2015 + i), code(body=f"MA2B3C{i:02d}")) for i in range(9)]
    rows[1] = _report("2024", a)                       # line 5 (two blank lines, the header at line 3)
    rows[7] = _report("2024", a)                       # line 11: an exact copy of line 5, two chunks later
    rows[2] = _report("2025", b)                       # line 6
    rows[8] = _report("2025", b, employees="13")       # line 12: b's key again, another row: both held back
    rows.append(_report("2024", c))                    # line 13 and, in the next chunk, line 14 (exact)
    rows.append(_report("2024", c))
    rows += [_report("2020", code(body=f"MA2B3E{i:02d}")) for i in range(6)]   # lines 15–20: none
    data = b"\r\n\n" + csv_bytes("annual_reports", rows, "gb18030")
    drop = tmp_path / "drop"
    write_night(drop, N13, {"annual_reports.csv": ("annual_reports", "full", data, "gb18030", len(rows))})
    whole = ingest_in_chunks(drop, settings, 1_000)
    one = staged_state(engine)
    assert [(h[1], h[2]) for h in one["held"]] == [(6, "conflicting_duplicate_key"), (11, "duplicate_row"),
                                                   (12, "conflicting_duplicate_key"), (14, "duplicate_row")]
    assert '"employees": "13"' in one["held"][2][4] and "第 5 行" in one["held"][1][3]
    reread = _reread(monkeypatch)
    assert ingest_in_chunks(drop, settings, 3) == whole          # lines 1–3 (the header), 4–6, 7–9, 10–12, 13–15, …
    assert staged_state(engine) == one
    # The chunks holding candidates, and no others; six candidates are more than a chunk's rows, so
    # the chunks of the rows held back are read once more to quarantine them as delivered.
    assert reread == [[1, 3, 4], [1, 3, 4]]
    assert ingest_in_chunks(drop, settings, 6) == whole          # lines 1–6, 7–12, 13–18, 19–20
    assert staged_state(engine) == one
    assert reread[2:] == [[0, 1, 2]]                    # six candidates, kept: no third read


def test_past_the_client_s_limit_the_database_counts_the_keys_and_stages_the_same(
        settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with more accepted rows than the client keeps hashes for (a province's annual reports):
    PostgreSQL names the candidates, and what is staged is what the client's count stages."""
    a, b = (code(body=f"MA2B3D{i:02d}") for i in range(2))
    rows = [_report(str(2015 + i), code(body=f"MA2B3C{i:02d}")) for i in range(9)]
    rows[1] = _report("2024", a)                       # line 3
    rows[7] = _report("2024", a)                       # line 9: an exact copy, two chunks later
    rows[2] = _report("2025", b)                       # line 4
    rows[8] = _report("2025", b, employees="13")       # line 10: conflicting
    drop = tmp_path / "drop"
    write_night(drop, N13, {"annual_reports.csv": ("annual_reports", "full", csv_bytes("annual_reports", rows),
                                                   "utf-8", len(rows))})
    by_client = ingest_in_chunks(drop, settings, 3)
    staged = staged_state(engine)
    assert [(h[1], h[2]) for h in staged["held"]] == [(4, "conflicting_duplicate_key"), (9, "duplicate_row"),
                                                      (10, "conflicting_duplicate_key")]
    counted: list[int] = []
    real = FileStager.candidate_lines

    def spy(self: FileStager) -> np.ndarray:
        lines = real(self)
        counted.extend(lines.tolist())
        return lines

    monkeypatch.setattr(duplicates, "CLIENT_KEY_ROWS", 4)
    monkeypatch.setattr(FileStager, "candidate_lines", spy)
    reread = _reread(monkeypatch)
    assert ingest_in_chunks(drop, settings, 3) == by_client
    assert staged_state(engine) == staged
    assert counted == [3, 4, 9, 10] and reread[0] == [0, 1, 2, 3]   # lines 1–3 (the header), 4–6, 7–9, 10


def test_the_database_counts_the_keys_of_the_file_alone(engine: Engine) -> None:
    """Another drop's or file's staged rows are not the file's copies."""
    key = StagingKey(N13, "d" * 64, "annual_reports.csv")
    a, b, c = (code(body=f"MA2B3D{i:02d}") for i in range(3))
    staged = [(4, a, 2024), (5, b, 2024), (9, a, 2024), (11, a, 2025), (12, c, 2025), (20, b, 2023), (40, a, 2024)]
    other = [("e" * 64, key.file, 50, c, 2025),               # another drop's staging
             (key.digest, "other.csv", 51, b, 2023)]          # another file of the drop
    with engine.begin() as conn:
        conn.execute(sa.text("insert into night_staging_annual_reports (night, digest, file, line, uscc, report_year,"
                             " filed_on) values (:n, :d, :f, :l, :u, :y, date '2026-05-20')"),
                     [{"n": key.night, "d": key.digest, "f": key.file, "l": line, "u": u, "y": y}
                      for line, u, y in staged] +
                     [{"n": key.night, "d": d, "f": f, "l": line, "u": u, "y": y} for d, f, line, u, y in other])
        lines = FileStager(conn, key, SOURCES["annual_reports"]).candidate_lines()
        assert lines.tolist() == [4, 9, 40]
        conn.rollback()


def test_the_held_duplicates_leave_the_staging_in_one_scan_without_a_nested_loop(engine: Engine) -> None:
    """The staging table has no index and no statistics (migration 0042): a join of its rows to the
    held lines was planned as a nested loop over both (a 1 M first night hung on it). The lines are
    a hashed constant array instead, and the plan stays a custom one however often the connection
    has run the statement (``plan_cache_mode``)."""
    key = StagingKey(N13, "d" * 64, "annual_reports.csv")
    a, b = code(body="MA2B3D01"), code(body="MA2B3D02")
    with engine.begin() as conn:
        conn.execute(sa.text("insert into night_staging_annual_reports (night, digest, file, line, uscc, report_year,"
                             " filed_on) select :n, :d, :f, g, :u, 2000 + g % 20, date '2026-05-20'"
                             " from generate_series(1, 20000) as g"),
                     {"n": key.night, "d": key.digest, "f": key.file, "u": a})
        stager = FileStager(conn, key, SOURCES["annual_reports"])
        drop = sqlfiles.text_of("night/staging_duplicates_drop").format(rows="night_staging_annual_reports")
        lines = list(range(3, 20000, 7))
        plan = "\n".join(conn.execute(sa.text("explain " + drop), {**key.params(), "lines": lines}).scalars())
        assert "Nested Loop" not in plan and "= ANY" in plan, plan
        stager.candidates(pd.DataFrame({"uscc": [a, a, b], "report_year": ["2024", "2024", "2025"],
                                        "filed_on": ["2026-05-20"] * 3, "employees": [None] * 3,
                                        "revenue": [None] * 3, "total_tax": [None] * 3}),
                          np.array([7, 14, 21]), 0, np.zeros(3, dtype=bool))
        assert list(stager.duplicates()) == [14]
        assert conn.exec_driver_sql("show plan_cache_mode").scalar() == "force_custom_plan"
        # Under the stager's setting, prepared and run past the point where the plan cache may switch
        # to a generic plan, the lines stay a constant (a generic plan has them as $4, compared one
        # by one for every row; with force_generic_plan this fails).
        prepared = drop.replace(":night", "$1").replace(":digest", "$2").replace(":file", "$3") \
                       .replace(":lines", "$4")
        conn.exec_driver_sql(f"prepare held_drop (date, text, text, bigint[]) as {prepared}")
        args = "(date '2026-07-13', '" + "d" * 64 + "', 'annual_reports.csv', array[900001, 900002]::bigint[])"
        for _ in range(7):
            conn.exec_driver_sql(f"execute held_drop {args}")
        plan = "\n".join(conn.exec_driver_sql(f"explain execute held_drop {args}").scalars())
        assert "$4" not in plan and "'{900001,900002}'" in plan, plan
        assert conn.exec_driver_sql("select count(*) from night_staging_annual_reports where line in (7, 14, 21)"
                                    ).scalar() == 2
        conn.rollback()


def test_a_hash_collision_is_a_candidate_that_stays_accepted(settings: Settings, engine: Engine, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(7)]
    rows.append(dict(rows[5]))                                   # line 9: an exact copy of line 7
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    honest = ingest_in_chunks(drop, settings, 4)                      # lines 1–4, 5–8, 9
    expected = staged_state(engine)
    assert [(h[1], h[2]) for h in expected["held"]] == [(9, "duplicate_row")]
    real = duplicates.key_hash
    colliding = {rows[0]["uscc"], rows[3]["uscc"]}           # lines 2 and 5, two chunks: given one hash

    def some_collide(frame: pd.DataFrame, source: Source) -> np.ndarray:
        hashes = real(frame, source).copy()
        hashes[frame["uscc"].isin(colliding).to_numpy()] = 7
        return hashes

    reread = _reread(monkeypatch)
    monkeypatch.setattr(duplicates, "key_hash", some_collide)
    assert ingest_in_chunks(drop, settings, 4) == honest
    assert staged_state(engine) == expected
    assert reread == [[0, 1, 2]]          # the collision's chunks and the copies': 4 candidates, kept in memory
    # Every key one hash: every accepted row is a candidate, more than a chunk of them, so the held
    # rows are quarantined by reading their chunk again rather than from rows kept in memory.
    monkeypatch.setattr(duplicates, "key_hash", lambda frame, source: np.zeros(len(frame), dtype=np.uint64))
    reread.clear()
    assert ingest_in_chunks(drop, settings, 4) == honest
    assert staged_state(engine) == expected
    assert reread == [[0, 1, 2], [2]]


def test_a_file_without_duplicates_runs_no_statement_for_them(settings: Settings, engine: Engine,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(7)]
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    said: list[str] = []

    def executed(conn: object, cursor: object, statement: str, *rest: object) -> None:
        said.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", executed)
    try:
        [out] = ingest_in_chunks(drop, settings, 3)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", executed)
    assert out["accepted"] == 7 and any("night_staging_registration" in s for s in said)
    assert not [s for s in said if "duplicate" in s]


# A small key and value space: duplicated keys, exact copies and conflicts are common.
_rows = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["杭州甲公司", "杭州乙公司", " 杭州甲公司 "]),
                           st.booleans()), min_size=0, max_size=14)


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, chunk_rows=st.integers(1, 5))
def test_staging_in_small_chunks_is_staging_in_one(settings: Settings, engine: Engine, rows: list[tuple[int, str, bool]],
                                                   chunk_rows: int) -> None:
    """Property: whatever the rows and the chunks, what is staged is what one chunk stages (the name
    with spaces is the same canonical name: an exact copy; a bad date holds a row back before any
    duplicate rule sees it)."""
    clear_published(engine, N13)        # the staging of the examples before (another drop, another digest)
    drop = Path(tempfile.mkdtemp(prefix="dups", dir=settings.home.parent))
    written = [registration_row(code(body=f"MA2B3C{k:02d}"), name=name,
                                **({} if good else {"established_on": "2015-13-45"})) for k, name, good in rows]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", written)})
    whole = ingest_in_chunks(drop, settings, 1_000)
    one = staged_state(engine)
    assert ingest_in_chunks(drop, settings, chunk_rows) == whole
    assert staged_state(engine) == one
