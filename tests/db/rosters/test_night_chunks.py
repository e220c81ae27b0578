"""The rosters' night in chunks (issue 11): candidates made, finalised and staged a few rows at a
time leave exactly the decision log of one chunk (seq, 文号, hashes, the night's summary), and the
log's writer appends in the order of :func:`credit.rosters.decide.sort_night_rows`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from credit.night import steps
from credit.rosters.decide import night_rank, sort_night_rows
from credit.rosters.log import INSERT_COLUMNS, NIGHT_ORDER, DecisionStage
from credit.sample import write_sample
from credit.settings import Settings
from tests.fingerprints import fingerprints

N1, N2, N3 = date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 2)
CHUNK = 7


def test_a_night_decided_in_chunks_of_seven_rows_is_the_night_in_one_chunk(
        tmp_path: Path, settings: Settings, second_settings: Settings) -> None:
    drop = tmp_path / "drop"
    write_sample(drop, 300, 3, seed=5, start=N1)
    chunked = second_settings.model_copy(update={"rosters_chunk_rows": CHUNK})
    whole, parted = sa.create_engine(str(settings.database_url)), sa.create_engine(str(chunked.database_url))
    try:
        for night in (N1, N2, N3):
            a = steps.run_night(drop, night, settings)
            b = steps.run_night(drop, night, chunked)
            assert a["rosters"] == b["rosters"]
        with whole.connect() as c:
            # The night after the deadline has many chunks of cause 1; the nights decide other causes too.
            counts = dict(c.execute(sa.text(
                "select cause_code, count(*) filter (where night = :n) from roster_decisions group by 1"),
                {"n": N2}).all())
        assert counts.get("annual_report_missing", 0) > 3 * CHUNK
        assert len(counts) >= 3, counts
        assert fingerprints(parted) == fingerprints(whole)   # the log's rows, 文号 and hashes among them
    finally:
        whole.dispose()
        parted.dispose()


# Not "": the writer's CSV stores an empty text as NULL, as it always has (a log row names its authority).
_TEXT = st.sampled_from(["a", "B", "z", "Z", "é", "中", "中华", "0", "9", "_", "a b", "ab"])


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.sampled_from(["include", "remove", "revoke", "refuse", "escalate", "notice", "propose", "proposal"]),
    st.sampled_from([None, "include", "remove"]),
    st.sampled_from(["abnormal", "abnormal_status", "serious"]),
    st.one_of(st.none(), _TEXT), _TEXT, _TEXT), min_size=1, max_size=30))
def test_the_log_writers_order_is_the_nights_sort(engine: Engine, rows: list[tuple[object, ...]]) -> None:
    frame = pd.DataFrame([{"action": a, "proposed_action": p, "roster": r, "authority": au, "uscc": u,
                           "fact_key": f"{k}:{i}"} for i, (a, p, r, au, u, k) in enumerate(rows)])
    frame = frame.reindex(columns=INSERT_COLUMNS)
    expected = sort_night_rows(frame)["fact_key"].tolist()
    with engine.begin() as c:
        stage = DecisionStage(c)
        half = len(frame) // 2   # two chunks, in reverse: the order of arrival does not matter
        stage.add(frame.iloc[half:], night_rank(frame.iloc[half:]))
        stage.add(frame.iloc[:half], night_rank(frame.iloc[:half]))
        got = c.execute(sa.text(f"select fact_key from _roster_new order by {NIGHT_ORDER}")).scalars().all()
        c.rollback()
    assert got == expected
