"""A database's state as one comparable value: every table's rows, without wall-clock columns.

Used where two runs must leave exactly the same state (a partitioned night and a night in one
transaction, issue 12; the DAG and ``credit nightly``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SKIP_TABLES = frozenset({"alembic_version", "night_runs"})   # night_runs: wall-clock times, stage seconds
SKIP_TYPES = ("timestamp with time zone", "timestamp without time zone")


def fingerprints(engine: Engine, skip: frozenset[str] = SKIP_TABLES) -> dict[str, tuple[int, str]]:
    """Every table's row count and the md5 of its sorted rows (columns of a timestamp type left out)."""
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as c:
        tables = c.execute(sa.text(
            "select table_name from information_schema.tables where table_schema = 'public' "
            "and table_type = 'BASE TABLE' order by 1")).scalars().all()
        for t in tables:
            if t in skip:
                continue
            cols = c.execute(sa.text(
                "select column_name from information_schema.columns where table_schema = 'public' "
                "and table_name = :t and data_type <> all(:skip) order by ordinal_position"),
                {"t": t, "skip": list(SKIP_TYPES)}).scalars().all()
            row = ", ".join(f'"{x}"' for x in cols)
            n, h = c.execute(sa.text(
                f"select count(*), md5(coalesce(string_agg(x, E'\\n' order by x), '')) "
                f"from (select row({row})::text as x from \"{t}\") s")).one()
            out[t] = (int(n), str(h))
    return out
