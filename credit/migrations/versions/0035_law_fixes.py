"""record time of the store's facts for "as known after night K" (contracts.md §2 ``--known-at``).

Revision ID: 0035_law_fixes
Revises: 0030_incremental_counts

``credit status --known-at K`` answers "as the record stood after night K": a fact the store
learnt on a later night must not show. The decision log is cut at night K's anchor
(credit/rosters/known.py); the store's facts read beside it carry their own record time:

- ``cure_events.recorded_night``: the night the cure reached the store — a curing finding's
  ``first_night``, a registered address change's ``registration_history.night`` (domain.md §3.3:
  the cure's 查实 date stays ``cured_on``; this is when *we* learnt it). Added at the end of the
  view (``create or replace view`` keeps its other columns).
- ``penalties_history(case_no, night)``: a penalty as it stood after night K (its fine,
  fulfilment, revocation…) is the case's latest history row up to K, one index probe per case.

No table is added, so no grants change.
"""

from alembic import op

revision = "0035_law_fixes"
down_revision = "0031_staging_dups"
branch_labels = None
depends_on = None

_VIEW = """
create or replace view cure_events as
select f.uscc, k.cause_code, f.found_on as cured_on, 'findings'::text as source,
       f.finding_id as ref, f.kind as detail{findings_night}
  from findings as f
  join cure_kinds as k on k.cure_kind = f.kind
union all
select h.uscc, k.cause_code, least(coalesce(h.updated_at::date, h.night), h.night) as cured_on,
       'registration'::text, 'registration_history:' || h.uscc || ':' || h.night, 'address_changed'{history_night}
  from (select r.*, lag(r.address) over (partition by r.uscc order by r.night) as previous_address
          from registration_history as r) as h
  join cure_kinds as k on k.cure_change = 'address'
 where h.change = 'changed' and h.previous_address is not null
   and h.address is distinct from h.previous_address
"""


def upgrade() -> None:
    op.execute(_VIEW.format(findings_night=",\n       f.first_night as recorded_night",
                            history_night=",\n       h.night"))
    op.create_index("ix_penalties_history_case_night", "penalties_history", ["case_no", "night"])


def downgrade() -> None:
    op.drop_index("ix_penalties_history_case_night", table_name="penalties_history")
    op.execute("drop view cure_events")
    op.execute(_VIEW.format(findings_night="", history_night=""))
