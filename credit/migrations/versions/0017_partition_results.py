"""region partitions stage their results; the night's publish applies them at once (issue 12).

Revision ID: 0017_partition_results
Revises: 0021_lookup_indexes

A partitioned night (``credit.night.partitions``) computes each region partition's results in
its own task and transaction and stages them here, keyed by (night, manifest digest, plan,
partition): ``plan`` is the digest of the night's partition plan, so that a partition staged
under another plan is never mistaken for one of this plan. ``publish`` checks every partition
of its plan is staged (else ``partition_missing``), applies them in one transaction and deletes
them after the commit, with the night's other staging.

- ``night_partitions``: one row per staged partition (its spec and counts).
- ``night_partition_decisions``: the partition's roster decisions of the night's main pass, as
  :func:`credit.rosters.log.finalise` made them (no seq, 文号 or hash: assigned at publish).
- ``night_partition_grades``: the partition's grades, with the two relation indicators they
  were computed with (publish regrades an entity whose relations differ on the whole store).

UNLOGGED like ``night_staging_*``: a server crash empties them; publish then refuses the night
(``partition_missing``) until the partitions run again.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_partition_results"
down_revision = "0021_lookup_indexes"
branch_labels = None
depends_on = None

KEY = ("night", "digest", "plan", "partition")


def _key() -> list[sa.Column[object]]:
    return [sa.Column("night", sa.Date(), nullable=False),
            sa.Column("digest", sa.Text(), nullable=False, comment="the manifest's SHA-256"),
            sa.Column("plan", sa.Text(), nullable=False, comment="the partition plan's digest"),
            sa.Column("partition", sa.Integer(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "night_partitions",
        *_key(),
        sa.Column("spec", postgresql.JSONB(), nullable=False, comment="credit.night.partitions.PartitionSpec"),
        sa.Column("summary", postgresql.JSONB(), nullable=False, comment="counts and seconds of the partition"),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint(*KEY),
        prefixes=["UNLOGGED"],
        comment="One region partition's results staged for the night's publish (deleted after it)",
    )
    op.create_table(
        "night_partition_decisions",
        *_key(),
        sa.Column("ord", sa.Integer(), nullable=False, comment="the row's place in the partition's pass"),
        sa.Column("row", postgresql.JSONB(), nullable=False, comment="a finalised decision (rosters.log.INSERT_COLUMNS)"),
        prefixes=["UNLOGGED"],
        comment="One partition's roster decisions, waiting for publish (numbered and chained there)",
    )
    op.create_index("ix_night_partition_decisions_key", "night_partition_decisions", list(KEY))
    op.create_table(
        "night_partition_grades",
        *_key(),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("grade", sa.CHAR(1), nullable=False),
        sa.Column("score", sa.Numeric(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.Column("related_serious", sa.BigInteger(), nullable=False),
        sa.Column("related_d", sa.BigInteger(), nullable=False),
        prefixes=["UNLOGGED"],
        comment="One partition's grades, waiting for publish",
    )
    op.create_index("ix_night_partition_grades_key", "night_partition_grades", list(KEY))
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.drop_table("night_partition_grades")
    op.drop_table("night_partition_decisions")
    op.drop_table("night_partitions")
