"""The one loader of the SQL shipped with the package (``credit/sql/<area>/<name>.sql``).

Statements longer than a couple of lines live in files, staged and commented like any other
source, and are read through here: as bind-parameter text for SQLAlchemy (:func:`statement`), as
plain text (:func:`text_of`), as a clause Python formats into a statement (:func:`fragment`), run into a frame (:func:`frame`), run into dicts by psycopg itself
(:func:`dict_rows`, a look-up's hot statements), or with ``:name`` placeholders rendered as typed
literals for ``COPY``, which cannot take bind parameters (:func:`rendered`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import psycopg
import sqlalchemy as sa
from psycopg.rows import dict_row
from sqlalchemy.dialects import postgresql

_PARAM = re.compile(r"(?<!:):([a-z_]+)\b")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def text_of(name: str) -> str:
    """The text of ``credit/sql/<name>.sql``; ``name`` is ``area/file`` (e.g. ``rosters/annual_reports``)."""
    area, _, stem = name.rpartition("/")
    folder = resources.files("credit").joinpath("sql", *area.split("/")) if area else resources.files("credit") / "sql"
    return folder.joinpath(f"{stem}.sql").read_text(encoding="utf-8")


@cache
def fragment(name: str) -> str:
    """``credit/sql/<name>.sql`` without its comment lines and outer whitespace: a condition or a
    clause that Python formats into a statement, where a comment would swallow the rest of its line."""
    return "\n".join(line for line in text_of(name).splitlines() if not line.lstrip().startswith("--")).strip()


@cache
def statement(name: str) -> sa.TextClause:
    """``credit/sql/<name>.sql`` as a SQLAlchemy text clause taking ``:name`` bind parameters.

    Built once per name: parsing the bind parameters cost each call tens of µs (issue 11, a
    look-up runs several); a text clause is not changed in place (``bindparams``, ``columns``
    return copies)."""
    return sa.text(text_of(name))


def rendered(name: str, *, bound: Collection[str] = (), **params: date | int) -> str:
    """``credit/sql/<name>.sql`` with its ``:name`` placeholders rendered as typed literals.

    Only ``date`` and ``int`` values are accepted, which cannot carry SQL; anything else is a
    programming error and raises :class:`TypeError`. The placeholders named in ``bound`` become
    psycopg's ``%(name)s`` instead (and every other ``%`` is doubled): values of any type passed
    with the statement to psycopg, which quotes them (:func:`credit.grading.indicators.copy_out`,
    a chunk's first and last USCC).
    """

    def literal(m: re.Match[str]) -> str:
        if m.group(1) in bound:
            return f"%({m.group(1)})s"
        value = params[m.group(1)]
        if isinstance(value, date):
            return f"date '{value.isoformat()}'"
        if isinstance(value, int) and not isinstance(value, bool):
            return str(int(value))
        raise TypeError(f"parameter {m.group(1)} must be a date or an int")

    source = text_of(name)
    return _PARAM.sub(literal, source.replace("%", "%%") if bound else source)


def frame(conn: sa.Connection, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Run ``credit/sql/<name>.sql`` with bind parameters; the rows as a frame with the query's columns."""
    return rows_frame(conn.execute(statement(name), dict(params)))


def rows_frame(res: sa.CursorResult[Any]) -> pd.DataFrame:
    """A result's rows as a frame with its columns. Built from tuples: the same frame (values and
    dtypes) as from the rows' mappings, which pandas reads key by key (half the time of a roster
    night's candidate frames at 200,000 entities, issue 11)."""
    return pd.DataFrame([tuple(r) for r in res.all()], columns=list(res.keys()))


_PSYCOPG: sa.Dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


@cache
def _driver_text(text: str) -> str:
    """A statement's text as psycopg's own (``%(name)s`` placeholders, ``%`` doubled)."""
    return str(sa.text(text).compile(dialect=_PSYCOPG))


def execute_binary(conn: sa.Connection, stmt: sa.TextClause, params: Mapping[str, Any]) -> None:
    """Run ``stmt`` through psycopg's own cursor on ``conn``'s connection with every parameter
    sent in binary (``%(name)b``), for a statement of long arrays (one list per column).

    psycopg writes a list for the text format element by element in Python, searching each text
    for characters to quote; in binary it writes lengths and bytes. The 33,905 windows of the 1 M
    drop's first night (14 lists, ``sql/penalties/insert_windows.sql``) took 1.4–1.6 s of client
    CPU in text and take 0.24–0.45 s in binary (issue 11). An error of the driver is raised as
    SQLAlchemy's, as ``conn.execute`` raises it."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    text = _PLACEHOLDER.sub(r"%(\1)b", _driver_text(stmt.text))
    try:
        with driver.cursor() as cur:
            cur.execute(text, params)
    except psycopg.Error as e:
        raise sa.exc.DBAPIError.instance(text, params, e, psycopg.Error) from e


def dict_rows(conn: sa.Connection, stmt: sa.TextClause, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of ``stmt`` as dicts, fetched through psycopg's own cursor on ``conn``'s
    connection (its transaction, its prepared statements).

    For the look-ups' few statements (issue 11): SQLAlchemy's result objects cost about 0.2 ms a
    statement on a 20-column row, as much as PostgreSQL's time for it; psycopg builds the dicts
    itself. An error of the driver is raised as SQLAlchemy's (``sa.exc.DBAPIError`` and its
    kinds), as ``conn.execute`` raises it."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    text = _driver_text(stmt.text)
    try:
        with driver.cursor(row_factory=dict_row) as cur:
            cur.execute(text, params)
            return cur.fetchall()
    except psycopg.Error as e:
        raise sa.exc.DBAPIError.instance(text, params, e, psycopg.Error) from e
