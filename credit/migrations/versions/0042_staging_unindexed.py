"""A source's staging table keeps no index: a file's chunks are COPYed into it without one (issue 11).

Revision ID: 0042_staging_unindexed
Revises: 0041_append_then_index

Each ``night_staging_<source>`` table (migration 0027) carried a b-tree on its staging key
``(night, digest, file)``, kept row by row while a file's chunks are COPYed in. Every row of one
file has the same key, and a source's table holds the files of the nights not yet published,
normally one: whatever reads it by key (the publish's fill of the merge stage, the staged-row
count, the duplicate candidates, a re-run's clear) reads all or nearly all of it, which a
sequential scan does as well as the index. After a night is published the table is truncated
(``credit.night.staging.clear_published``), so a scan does not wade through that night's dead rows
— except when a later night is staged already or another drop's ingest holds the table: then the
published rows are deleted, and until autovacuum clears them the next reads by key scan their
pages too (with the index they would have been skipped). Both are rare (a night ingested before the
previous one is published; two drops of one night ingested at once).

Measured on the 1 M first night's registration file (two chunks, 398,777 accepted rows, COPYed
inside a transaction then rolled back, twice each): the server's share of the COPY 3.0–3.8 s with
the index, 2.1–2.3 s without it; the 64-character digest repeated on every row costs nothing
measurable beside it.

The quarantine's staging (``night_staging_quarantine``) keeps its index: every file's held rows
share that table, and they are read file by file.
"""

from alembic import op

revision = "0042_staging_unindexed"
down_revision = "0041_append_then_index"
branch_labels = None
depends_on = None

# The sources with a staging table at this revision (credit.contract.sources.SOURCES).
SOURCES = ("registration", "annual_reports", "tax", "social_security", "penalties", "findings",
           "inspection_results", "inspectors", "bank_credit")


def upgrade() -> None:
    for source in SOURCES:
        op.execute(f"drop index if exists ix_night_staging_{source}_key")


def downgrade() -> None:
    for source in SOURCES:
        op.execute(f"create index if not exists ix_night_staging_{source}_key "
                   f"on night_staging_{source} (night, digest, file)")
