"""the staged accepted rows no longer carry their key as text and a hash of the whole row (issue 11).

Revision ID: 0031_staging_dups
Revises: 0030_incremental_counts

``night_staging_<source>.dup_key`` and ``dup_row`` (migrations 0023, 0027) let PostgreSQL find a
file's duplicated keys across its chunks with a window over every staged row of the file: ingest
hashed every row for them and widened every row's COPY, and the window sorted the file's rows by
key (profile of a 1 M-entity first night: about 7 s of hashing and 12.5 s of window). Ingest now
keeps a hash of each accepted row's key in the client and stages the key's text and the row's hash
for the candidate duplicates alone, in a temporary table of the file's transaction
(``credit.night.duplicates``); nothing else reads the two columns (publish, the partitions), so they
are dropped. The staging tables are UNLOGGED operational data: the downgrade adds the columns back
empty (a night staged before it still publishes: its duplicates were found at ingest).
"""

from alembic import op

revision = "0031_staging_dups"
down_revision = "0030_incremental_counts"
branch_labels = None
depends_on = None

# The sources at this revision (credit.contract.sources.SOURCES): each has its staging table (0027).
SOURCES = ("registration", "annual_reports", "tax", "social_security", "penalties", "findings",
           "inspection_results", "inspectors", "bank_credit")


def upgrade() -> None:
    for source in SOURCES:
        op.execute(f"alter table night_staging_{source} drop column dup_key, drop column dup_row")


def downgrade() -> None:
    for source in SOURCES:
        table = f"night_staging_{source}"
        # Where 0027 put them, before the source's own columns, is not to be had by alter table: after them.
        op.execute(f"alter table {table} add column dup_key text, add column dup_row bigint")
        op.execute(f"comment on column {table}.dup_key is 'the row''s key as canonical text'")
        op.execute(f"comment on column {table}.dup_row is 'a hash of the whole canonical row'")
