"""The first night's append to an empty decision log builds the log's secondary indexes after the rows (issue 11).

Revision ID: 0041_append_then_index
Revises: 0040_submitted_once

At 1 M entities the first night appends 180,958 decisions in one call of
``roster_decisions_append`` (migration 0028): 17.2 s, the night's most expensive statement. Of
that, the INSERT of the finished rows took 9.6 s with the log's 11 secondary indexes kept row by
row and 3.65 s without them; building a b-tree from rows already in the table is one sort.

The function is the same as 0028's (same rows byte for byte, same signature, grants and guard)
except for this: when the log has no row at all it takes the log ACCESS EXCLUSIVE (before the
advisory lock 4270002, the order every writer takes them in: the table's lock on INSERT, then the
advisory lock in the trigger, so no deadlock), reads the log again under that lock, drops the
indexes that back no constraint (the primary key on seq stays; the guard below looks rows up by
it), inserts, and creates them again from their own definitions (``pg_get_indexdef``: same names,
columns, predicates, uniqueness), as :func:`credit.bulk.load_then_index` does for the store's
tables. A unique index built after the load refuses a duplicate as the load would have: the
statement fails and so does the night. A reader waiting on the lock would have found an empty log.
The log is never truncated (its trigger refuses it; append-only is a promise), so, unlike the
store's tables, its load is written to the WAL as before. Nothing of this happens when a foreign
key refers to the log (its index could not be dropped) or when the log holds a row.

The function runs as the log's owner (SECURITY DEFINER), who may drop and create its indexes; the
night's role ``credit_writer`` could not.

An empty log's last 文号 is not looked up (``%7$s`` below is ``false`` then; max() over no row is
null either way): after a rolled-back first night the table holds the dead rows of that night, and
without its index each authority and year's look-up read them all. Before this, the first measured
run of the function took 98 s in its INSERT alone for that reason.

Measured on a copy of the 1 M first night (the log emptied, its 180,958 rows staged again, the
call rolled back; 3 runs each, a shared 2-core machine at load 5–7, so the backend's CPU time is
the figure, wall time in brackets): 0028's function 18.0, 18.6, 18.7 s CPU (41, 50, 49 s); this
one 14.7, 14.5, 13.6 s CPU (41, 38, 46 s), of which the eleven index builds ~10 s of wall time at
that load; rows byte for byte the same (md5 of the appended rows). A larger ``work_mem`` (512 MB,
so that the sort by position does not spill) gave 14.4 and 13.6 s: no gain measured, so the
function keeps the server's setting.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0041_append_then_index"
down_revision = "0040_submitted_once"
branch_labels = None
depends_on = None


def _bulk_chain() -> ModuleType:
    """Migration 0028, whose canonical text, constants and function text this one reuses: the
    rows appended must stay byte for byte those of 0028 (and of the trigger)."""
    spec = importlib.util.spec_from_file_location("credit_migration_0028", Path(__file__).with_name("0028_bulk_chain.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def function(schema: str) -> str:
    """The text of ``roster_decisions_append`` with the empty log's deferred indexes."""
    m = _bulk_chain()
    text: str = m._function(schema)
    # 0028's text, three insertions; each is checked to apply exactly once, so that a change of
    # 0028's text cannot silently leave one out.
    edits = [
        ("    n bigint := 0;\nbegin\n",
         "    n bigint := 0;\n"
         "    rebuild text[] := '{}';\n"
         "    definition text;\n"
         "begin\n"),
        ("    -- one writer of the log at a time: seq, 文号 and the chain are each \"previous + 1\"\n"
         "    perform pg_advisory_xact_lock(4270002);\n"
         "    select d.seq, d.row_hash into last_seq, last_hash from roster_decisions d order by d.seq desc limit 1;\n",
         "    -- an empty log (the first night): its table lock before the advisory lock, as any writer\n"
         "    select d.seq into last_seq from roster_decisions d order by d.seq desc limit 1;\n"
         "    if last_seq is null then\n"
         "        lock table roster_decisions in access exclusive mode;\n"
         "    end if;\n"
         "    -- one writer of the log at a time: seq, 文号 and the chain are each \"previous + 1\"\n"
         "    perform pg_advisory_xact_lock(4270002);\n"
         "    select d.seq, d.row_hash into last_seq, last_hash from roster_decisions d order by d.seq desc limit 1;\n"
         "    -- still empty under the lock: the indexes backing no constraint are built after the rows\n"
         "    -- (migration 0041), unless a foreign key refers to the log\n"
         "    if last_seq is null\n"
         "       and exists (select from pg_locks l where l.locktype = 'relation' and l.pid = pg_backend_pid()\n"
         "                    and l.relation = 'roster_decisions'::regclass and l.mode = 'AccessExclusiveLock'\n"
         "                    and l.granted)\n"
         "       and not exists (select from pg_constraint f where f.confrelid = 'roster_decisions'::regclass) then\n"
         "        rebuild := array(select pg_get_indexdef(i.indexrelid) from pg_index i\n"
         "                          where i.indrelid = 'roster_decisions'::regclass\n"
         "                            and not exists (select from pg_constraint c where c.conindid = i.indexrelid)\n"
         "                          order by i.indexrelid::regclass::text);\n"
         "        for item in select i.indexrelid::regclass::text from pg_index i\n"
         "                     where i.indrelid = 'roster_decisions'::regclass\n"
         "                       and not exists (select from pg_constraint c where c.conindid = i.indexrelid) loop\n"
         "            execute 'drop index ' || item;\n"
         "        end loop;\n"
         "    end if;\n"),
        ("    get diagnostics n = row_count;\n",
         "    get diagnostics n = row_count;\n"
         "    foreach definition in array rebuild loop\n"
         "        execute definition;\n"
         "    end loop;\n"),
        # an empty log has no last 文号: not looked up (after a rolled-back night, its table holds
        # dead rows, which a look-up without the dropped index would read once per authority and year)
        ("                     where d.authority = p.authority and d.doc_year = p.y) as doc_seq\n",
         "                     where %7$s and d.authority = p.authority and d.doc_year = p.y) as doc_seq\n"),
        (", picks);\n", ", picks, (last_seq is not null)::text);\n"),
    ]
    for old, new in edits:
        if text.count(old) != 1:
            raise RuntimeError(f"migration 0041: 0028's function text changed near {old.splitlines()[0]!r}")
        text = text.replace(old, new)
    return text


def upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("select current_schema()").scalar_one()
    op.execute(function(schema.replace('"', '""')))


def downgrade() -> None:
    schema = op.get_bind().exec_driver_sql("select current_schema()").scalar_one()
    op.execute(_bulk_chain()._function(schema.replace('"', '""')))
