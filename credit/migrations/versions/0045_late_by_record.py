"""A decision the night records after its due date is late, also when its date is the law's (an outside review, item 5).

Revision ID: 0045_late_by_record
Revises: 0044_grade_ranges_d

``late`` (migration 0002) was ``decision_date > due_date``. One kind of decision has a date that is
not the day it was made: the automatic removal from the serious list when the listing period is
full (domain.md §4, ``ser.remove.expiry``). Its due date is the day after the period ends, and a
night that records it later (nights not run, a night late) dates it that day all the same
(``effective_on``, :func:`credit.rosters.log.finalise`): the entry is off the list from the day the
law says in every as-of answer. Its ``decision_date`` therefore always equalled its ``due_date`` and
the row was never late, although the night's own summary counted it late (``due_date`` before the
night, :class:`credit.rosters.decide._Tally`) and the record had shown the party listed for days
after the law removed it. The module's rule is that a decision made after its due date is still
made and marked late (domain.md §12: the limit is the law's; ``credit.rosters.decide``); the
system made this one on the night that recorded it.

So ``late`` compares the later of the decision's date and the night that recorded it with the due
date: ``greatest(decision_date, night) > due_date`` (``greatest`` ignores a NULL night). Every
other row is as before: a night's other decisions are dated the night itself, and the officers'
decisions, imports and counter entries have no night. A cure whose evidence arrives in a late drop
was already late: its removal is dated the night, due 5 working days from the cure.

Both writers of the log change together, so that they still assign the same values (the trigger
``roster_decisions_before_insert``, migration 0009, and the bulk ``roster_decisions_append``,
migration 0041): the texts are theirs with that one expression replaced, each replacement checked
to apply exactly once. The log stays append-only: rows written before keep their ``late`` (it is
inside their content hash); ``credit audit verify`` rehashes rows as stored and never recomputes
``late``.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0045_late_by_record"
down_revision = "0044_grade_ranges_d"
branch_labels = None
depends_on = None


def _migration(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"credit_migration_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace_once(text: str, old: str, new: str, where: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"migration 0045: {where}'s text changed near {old!r}")
    return text.replace(old, new)


def trigger_function() -> str:
    m = _migration("0009_serious_procedure")
    return _replace_once(
        m._chain_function(m.NUMBERED),
        "new.late := new.due_date is not null and new.decision_date > new.due_date;",
        "new.late := new.due_date is not null and greatest(new.decision_date, new.night) > new.due_date;",
        "0009")


def append_function(schema: str) -> str:
    return _replace_once(
        _migration("0041_append_then_index").function(schema),
        "when 'late' then 't.due_date is not null and t.decision_date > t.due_date'",
        "when 'late' then 't.due_date is not null and greatest(t.decision_date, t.night) > t.due_date'",
        "0041")


def upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("select current_schema()").scalar_one()
    op.execute(trigger_function())
    op.execute(append_function(schema.replace('"', '""')))


def downgrade() -> None:
    schema = op.get_bind().exec_driver_sql("select current_schema()").scalar_one()
    m = _migration("0009_serious_procedure")
    op.execute(m._chain_function(m.NUMBERED))
    op.execute(_migration("0041_append_then_index").function(schema.replace('"', '""')))
