"""``quarantined_annual_reports`` translates full-width characters only in keys that have some.

Revision ID: 0043_quarantine_ascii_keys
Revises: 0042_staging_unindexed

The view (migration 0010) normalises a held annual-report row's key as the night normalises it:
full-width digits and letters to ASCII (``translate``), spaces and hyphens out, upper case. On the
1 M first night's 13,620 held annual-report rows, reading the view costs 1.4–1.5 s, and
``translate`` with its 62 three-byte characters is nearly all of it (0.78 s for the USCCs alone,
57 µs a row; ``raw ->> 'uscc'`` and the ``regexp_replace`` together under 0.1 s). Cause 1's
candidates (``sql/rosters/annual_reports.sql``) join the view inside a parallel plan whose every
process builds the held keys' hash for itself: three times 1.5 s of the night's first fetch.

Every character ``translate`` maps is outside ASCII, so a value that is all ASCII (in UTF-8: as
many bytes as characters) comes out of it unchanged; only the others go through it. The view's
rows are exactly the same (a NULL still goes to ``translate``, which returns NULL). Measured on
that night's copy (EXPLAIN ANALYZE, warm, old and new definitions interleaved three times on a
loaded machine; same 13,620 rows, same md5): the view read whole 1.22–1.45 s → 0.29–0.43 s; each
process's held-key hash in cause 1's full-night plan 1.55 s → 0.35 s; cause 1 for a scope of
3,000 entities and up to 500 with a held row 0.61–1.32 s → 0.14–0.28 s (same 506 rows).
"""

from alembic import op

revision = "0043_quarantine_ascii_keys"
down_revision = "0042_staging_unindexed"
branch_labels = None
depends_on = None

# Full-width digits and letters as delivered → ASCII (as migration 0010; contracts.md §1).
_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _half(value: str, ascii_first: bool) -> str:
    """``value`` (an SQL text expression) with full-width characters made ASCII."""
    full = f"translate({value}, '{_FULL}', '{_HALF}')"
    if not ascii_first:
        return full
    return f"case when octet_length({value}) = length({value}) then {value} else {full} end"


def _view(ascii_first: bool) -> str:
    uscc, year = _half("q.raw ->> 'uscc'", ascii_first), _half("q.raw ->> 'report_year'", ascii_first)
    return f"""
    create or replace view quarantined_annual_reports as
    select k.uscc, k.report_year::bigint as report_year, k.night, k.file, k.line, k.reason
      from (select q.night, q.file, q.line, q.reason,
                   upper(regexp_replace({uscc}, '[[:space:]-]', '', 'g')) as uscc,
                   regexp_replace({year}, '[[:space:]]', '', 'g') as report_year
              from quarantine as q where q.source = 'annual_reports') as k
     where k.report_year ~ '^[0-9]{{4}}$' and length(k.uscc) = 18
    """


def upgrade() -> None:
    op.execute(_view(ascii_first=True))


def downgrade() -> None:
    op.execute(_view(ascii_first=False))
