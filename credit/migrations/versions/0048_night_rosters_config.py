"""A graded night keeps the rosters.yaml it graded with, as it keeps its grading.yaml.

Revision ID: 0048_night_rosters_config
Revises: 0047_redraw_skipped

``grading_runs.config`` holds the grading.yaml a night graded with, so a past night's grades and
what would improve them re-derive from that night's configuration. The grading also reads
rosters.yaml: ``heavier_measures`` makes a penalty 较重行政处罚 by its measures (domain.md §4), and
the advice on HEAVIER_PENALTY names the penalties the night counted. Without the night's own
file that advice read the rosters.yaml in force when asked, which may list other measures than
the night graded with. Two nullable columns keep it, recorded as grading.yaml is: the version
(label + the first 12 hex digits of the file's SHA-256, :func:`credit.config.load_config`) and the
parsed document.

NULL in both: a night graded before this migration. Nothing here fills them (which file a past
night read is not known to the database; ``night_runs.config_version`` names its version only);
the advice on such a night reads the rosters.yaml of the caller's configuration, as it did
before (:func:`credit.grading.read.grade_of`). Adding nullable columns writes no row.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0048_night_rosters_config"
down_revision = "0047_redraw_skipped"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("grading_runs", sa.Column(
        "rosters_version", sa.Text(), nullable=True,
        comment="rosters.yaml the night graded with: label@sha256[:12]; NULL for nights before migration 0048"))
    op.add_column("grading_runs", sa.Column(
        "rosters_config", postgresql.JSONB(), nullable=True,
        comment="rosters.yaml the night graded with (heavier_measures…); NULL for nights before migration 0048"))


def downgrade() -> None:
    op.drop_column("grading_runs", "rosters_config")
    op.drop_column("grading_runs", "rosters_version")
