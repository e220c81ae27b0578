"""A form or call sent twice records once: the submission ids and idempotency keys already used.

Revision ID: 0040_submitted_once
Revises: 0039_quiet_statistics

``submissions_once``: one row per single-use submission id of a page form (the hidden ``once``
field, credit.api.once) or ``Idempotency-Key`` of a creating API call, claimed in the transaction
that records what the first post created and completed with its answer in that same transaction.
The primary key (caller, SHA-256 of the id) is what makes a second post of the same form wait
for the first and then answer as it did, instead of recording a second application.

Only digests of the id are stored; the answer (which holds an applicant's receipt token) is
encrypted with a key derived from the id itself, so the table alone gives no receipt away.
The API role claims (insert) and completes (update) a row; nobody deletes one (append-only but for
that one completion).
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_submitted_once"
down_revision = "0039_quiet_statistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions_once",
        sa.Column("caller", sa.Text(), nullable=False,
                  comment="browser:<sha256 of the form cookie> / key:<id> / officer:<id> / public"),
        sa.Column("id_hash", sa.Text(), nullable=False, comment="SHA-256 of the submission id or idempotency key"),
        sa.Column("request_hash", sa.Text(), nullable=False, comment="SHA-256 of what the first post sent"),
        sa.Column("answer", sa.LargeBinary(), nullable=True,
                  comment="the first post's answer, AES-GCM under a key derived from the id (null while it runs)"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("caller", "id_hash", name="submissions_once_pkey"),
        comment="Single-use submission ids and idempotency keys with the first post's answer (credit.api.once)",
    )
    op.execute("""
    create trigger submissions_once_no_delete before delete on submissions_once
        for each row execute function api_refuse_change();
    create trigger submissions_once_no_truncate before truncate on submissions_once
        for each statement execute function api_refuse_change();
    """)
    op.execute("insert into role_table_grants values ('credit_api', 'submissions_once', 'insert, update') "
               "on conflict do nothing")
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute("delete from role_table_grants where table_name = 'submissions_once'")
    op.drop_table("submissions_once")
