"""The first night's append to an empty decision log builds the log's indexes after the rows
(migration 0041): the same rows as the trigger gives, the same indexes after, and a unique index
built after the load still refuses a duplicate."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit.rosters.log import INSERT_COLUMNS, NIGHT_ORDER, DecisionStage
from tests.db.rosters.test_bulk_chain import _both, _row, _same, _seed


def _indexes(c: Connection) -> dict[str, tuple[str, int]]:
    """The log's indexes: name → (definition, file node); a rebuilt index has a new file node."""
    return {r.name: (r.definition, r.node) for r in c.execute(sa.text(
        "select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition, "
        "x.relfilenode as node from pg_index i join pg_class x on x.oid = i.indexrelid "
        "where i.indrelid = 'roster_decisions'::regclass"))}


def test_an_empty_log_gets_the_triggers_rows_and_its_indexes_back(engine) -> None:  # type: ignore[no-untyped-def]
    """The trigger's rows are appended first in a rolled-back savepoint (_both), so the empty log
    holds dead rows: the case of a first night run again after a failure."""
    rows = [_row(1), _row(2, authority="310115"), _row(3, "propose"), _row(4, "escalate"),
            _row(5, on="2027-01-04"), _row(6, "notice"), _row(7, decision_no="京市监信〔2026〕99号")]
    with engine.connect() as c, c.begin():
        assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == 0
        before = _indexes(c)
        by_trigger, as_set = _both(c, pd.DataFrame(rows, columns=INSERT_COLUMNS), pd.Series([3, 3, 1, 2, 3, 3, 3]))
        after = _indexes(c)
    _same(by_trigger, as_set)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}   # same names and definitions
    rebuilt = {k for k in before if after[k][1] != before[k][1]}
    assert rebuilt == set(before) - {"roster_decisions_pkey"}   # built after the rows, but the primary key


def test_a_log_with_rows_keeps_its_indexes(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c, c.begin():
        _seed(c)
        before = _indexes(c)
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS))
        assert stage.append(NIGHT_ORDER) == 2
        assert _indexes(c) == before


@pytest.mark.parametrize(("action", "index"), [("include", "ux_roster_decisions_fact"),
                                               ("propose", "ux_roster_proposals_fact")])
def test_a_duplicate_fact_key_on_an_empty_log_still_fails(engine, action: str, index: str) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c, c.begin():
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1, action), _row(2, action, fact_key="k1")], columns=INSERT_COLUMNS))
        with pytest.raises(sa.exc.IntegrityError, match=index):
            stage.append(NIGHT_ORDER)


def test_the_night_role_appends_to_an_empty_log(engine) -> None:  # type: ignore[no-untyped-def]
    """``credit_writer`` may not drop the log's indexes; the function, running as the log's owner, does."""
    with engine.connect() as c, c.begin():
        before = _indexes(c)
        c.exec_driver_sql("set local role credit_writer")
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS))
        assert stage.append(NIGHT_ORDER) == 2
        c.exec_driver_sql("reset role")
        after = _indexes(c)
        assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
        assert after["ix_roster_decisions_uscc"][1] != before["ix_roster_decisions_uscc"][1]
