"""a registered change of address cures cause 4; every cure as one view.

Revision ID: 0010_authorities_remedy
Revises: 0009_serious_procedure

Cause 4 (unreachable, 68号令 art. 4(4)) is cured by restored contact **or** by a registered change of
the domicile / premises (变更登记; 68号令 art. 14, 69号令 art. 18, domain.md §3.3). ``cure_kinds`` named
only the finding; it now also names the registered change that cures a cause (``cure_change``:
``address`` for cause 4), and the view ``cure_events`` lists every cure the store holds, one row
each: the curing findings and the address changes of the registration history (a ``changed`` row
whose address differs from the entity's previous row; dated by the registration's own
``updated_at``, never later than the night that brought it). Every query asking "is this cause
cured, and since when?" reads the view.

``quarantined_annual_reports``: the key (uscc, report_year) of every annual-report row a night held
back, normalised as the night normalises (full-width characters, spaces, case). While such a row
exists and no accepted row for the key does, the report may have been filed: a missing-report
listing (cause 1) waits, and the deadline watch names the quarantined row (issue 13 item 5).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_authorities_remedy"
down_revision = "0009_serious_procedure"
branch_labels = None
depends_on = None


# Full-width digits and letters as delivered → ASCII (contracts.md §1: "normalise what is unambiguous").
_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def upgrade() -> None:
    op.add_column("cure_kinds", sa.Column(
        "cure_change", sa.Text(), nullable=True,
        comment="the registered change (变更登记) that also establishes the cure: 'address' (68号令 art. 14)"))
    op.execute("update cure_kinds set cure_change = 'address' where cause_code = 'unreachable'")
    op.execute("""
    create view cure_events as
    select f.uscc, k.cause_code, f.found_on as cured_on, 'findings'::text as source,
           f.finding_id as ref, f.kind as detail
      from findings as f
      join cure_kinds as k on k.cure_kind = f.kind
    union all
    select h.uscc, k.cause_code, least(coalesce(h.updated_at::date, h.night), h.night) as cured_on,
           'registration'::text, 'registration_history:' || h.uscc || ':' || h.night, 'address_changed'
      from (select r.*, lag(r.address) over (partition by r.uscc order by r.night) as previous_address
              from registration_history as r) as h
      join cure_kinds as k on k.cure_change = 'address'
     where h.change = 'changed' and h.previous_address is not null
       and h.address is distinct from h.previous_address
    """)
    op.execute(f"""
    create view quarantined_annual_reports as
    select k.uscc, k.report_year::bigint as report_year, k.night, k.file, k.line, k.reason
      from (select q.night, q.file, q.line, q.reason,
                   upper(regexp_replace(translate(q.raw ->> 'uscc', '{_FULL}', '{_HALF}'), '[[:space:]-]', '', 'g')) as uscc,
                   regexp_replace(translate(q.raw ->> 'report_year', '{_FULL}', '{_HALF}'), '[[:space:]]', '', 'g')
                       as report_year
              from quarantine as q where q.source = 'annual_reports') as k
     where k.report_year ~ '^[0-9]{{4}}$' and length(k.uscc) = 18
    """)
    op.execute("comment on view cure_events is "
               "'Every cure of an abnormal-roster cause the store holds: curing findings and registered address changes "
               "(domain.md §3.3)'")


def downgrade() -> None:
    op.execute("drop view if exists quarantined_annual_reports")
    op.execute("drop view if exists cure_events")
    op.drop_column("cure_kinds", "cure_change")
