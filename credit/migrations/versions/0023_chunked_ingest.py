"""a file is ingested in chunks: its staged rows carry their line and what finds duplicates (issue 11).

Revision ID: 0023_chunked_ingest
Revises: 0017_partition_results

Ingest reads, checks and stages a file one chunk of rows at a time (``credit.night.ingest``), so
the client's memory follows the chunk, not the file. A duplicated key may straddle two chunks:
it is found over the file's staged rows in PostgreSQL once every chunk is staged. For that each
staged accepted row keeps

- ``line``: its physical line in the file (the quarantine cites it, and the first copy of an
  exact duplicate is the one with the smallest line);
- ``dup_key``: its key as canonical text (the key columns joined by U+001F);
- ``dup_row``: a 64-bit hash of the whole canonical row (two rows of one key are exact copies
  when their hashes agree).

The columns are nullable: staging written by an earlier version has none (it is deleted after
its night is published anyway).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_chunked_ingest"
down_revision = "0022_roster_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("night_staging_rows", sa.Column("line", sa.BigInteger(), nullable=True,
                                                  comment="the row's physical line in its file"))
    op.add_column("night_staging_rows", sa.Column("dup_key", sa.Text(), nullable=True,
                                                  comment="the row's key as canonical text"))
    op.add_column("night_staging_rows", sa.Column("dup_row", sa.BigInteger(), nullable=True,
                                                  comment="a hash of the whole canonical row"))


def downgrade() -> None:
    op.drop_column("night_staging_rows", "dup_row")
    op.drop_column("night_staging_rows", "dup_key")
    op.drop_column("night_staging_rows", "line")
