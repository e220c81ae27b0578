"""Loading a table that is empty (a first night): the rows first, the indexes after (issue 11).

Building a b-tree from the rows already in a table is one sort; keeping it during the load is one
descent and page write per row and index. Used by the store's first load
(:mod:`credit.night.merge`) and the first night's grade ranges (:mod:`credit.grading.night`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from credit import sqlfiles


def is_empty(conn: Connection, table: str) -> bool:
    """Whether ``table`` (a name the search path resolves) has no row visible to this transaction."""
    return not conn.exec_driver_sql(sqlfiles.text_of("storage/has_rows").format(table=table)).scalar_one()


@contextmanager
def load_then_index(conn: Connection, table: str, empty: bool) -> Iterator[None]:
    """On an ``empty`` table, drop its indexes (and the primary-key or unique constraints they
    back) for what the block loads, and build them again after it, with the same names and
    definitions. A unique index built after the load checks uniqueness as the load would have: a
    duplicate key fails the transaction as before. The table stays locked (ACCESS EXCLUSIVE) until
    the transaction ends: it was empty, so a reader waiting for it would have found nothing. A
    table that a foreign key refers to keeps its indexes (``storage/bulk_indexes.sql``), and so
    does every table when ``empty`` is false."""
    indexes = conn.execute(sqlfiles.statement("storage/bulk_indexes"), {"table": table}).all() if empty else []
    if not indexes or any(i.blocked for i in indexes):
        yield
        return
    # Truncated, the empty table gets new storage in this transaction: on a server at wal_level
    # minimal (the embedded one, credit.db.EMBEDDED_TUNING) its load and index builds then skip the
    # write-ahead log, the files being synced at commit instead (PostgreSQL's "Populating a
    # Database"). Under the lock, the table is checked empty again: nothing is ever truncated away.
    conn.exec_driver_sql(sqlfiles.text_of("storage/bulk_lock").format(table=table))
    if all(i.may_truncate for i in indexes) and is_empty(conn, table):
        conn.exec_driver_sql(sqlfiles.text_of("storage/bulk_truncate").format(table=table))
    for i in indexes:
        if i.constraint_name is not None:
            conn.exec_driver_sql(sqlfiles.text_of("storage/bulk_drop_constraint").format(
                table=table, constraint=i.constraint_name))
        else:
            conn.exec_driver_sql(sqlfiles.text_of("storage/bulk_drop_index").format(index=i.index_name))
    yield
    for i in indexes:
        conn.exec_driver_sql(i.definition)
        if i.constraint_name is not None:
            name = "storage/bulk_add_primary_key" if i.constraint_kind == "p" else "storage/bulk_add_unique"
            conn.exec_driver_sql(sqlfiles.text_of(name).format(
                table=table, constraint=i.constraint_name, index=i.index_name))
