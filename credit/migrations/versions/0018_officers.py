"""officers' accounts for the bureau workbench (issue 15).

Revision ID: 0018_officers
Revises: 0016_night_staging

- ``officers``: one account per officer — login name, display name, role (``officer`` 办案人员
  drafts and records assessments; ``approver`` 审核人员 and ``admin`` 管理员 also approve drafts and
  decide applications and objections) and authority (the GB/T 2260 code of the issuing authority
  whose decisions the officer signs, credit.rosters.authorities). Only a scrypt hash of the
  password is kept. Accounts are disabled, never deleted, so a login name in the decision log
  (``actor`` = ``account:<login>``) always names one account. Written by ``credit officers``
  (the owner or ``credit_writer``); the API role only reads it.
- ``api_sessions`` may belong to an officer instead of a key (exactly one of the two).
- ``api_session_events`` name the officer of a sign-in; ``login_locked`` records a refused
  sign-in of a locked account. Failed sign-ins counted from these rows lock an account
  (config/api.yaml ``officer_lockout``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_officers"
down_revision = "0016_night_staging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("login", sa.Text(), nullable=False, unique=True, comment="login name, never reused"),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False, comment="officer / approver / admin"),
        sa.Column("authority", sa.Text(), nullable=False, comment="GB/T 2260 code of the issuing authority"),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="scrypt$n$r$p$salt$hash (base64)"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role in ('officer', 'approver', 'admin')", name="officer_role_known"),
        sa.CheckConstraint("login ~ '^[a-z0-9][a-z0-9._-]{1,63}$'", name="officer_login_form"),
        comment="Officers' accounts of the bureau workbench (disabled, never deleted)",
    )
    op.alter_column("api_sessions", "key_id", nullable=True)
    op.add_column("api_sessions", sa.Column("officer_id", sa.BigInteger(), sa.ForeignKey("officers.id"),
                                            nullable=True))
    op.create_check_constraint("session_has_one_holder", "api_sessions", "num_nonnulls(key_id, officer_id) = 1")
    op.add_column("api_session_events", sa.Column("officer_id", sa.BigInteger(), sa.ForeignKey("officers.id"),
                                                  nullable=True))
    op.drop_constraint("session_event_known", "api_session_events")
    op.create_check_constraint("session_event_known", "api_session_events",
                               "event in ('login', 'logout', 'login_refused', 'login_locked', 'expired')")
    op.create_index("ix_api_session_events_officer", "api_session_events", ["officer_id", "at"])
    # What the API role writes for officers: their sessions and sign-in events (already granted by
    # 0014; restated so that the grants do not depend on that revision's rows). ``officers`` is
    # only read by it.
    op.execute("insert into role_table_grants values ('credit_api', 'api_session_events', 'insert'), "
               "('credit_api', 'api_sessions', 'insert, update, delete') on conflict do nothing")
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.drop_index("ix_api_session_events_officer", "api_session_events")
    op.drop_constraint("session_event_known", "api_session_events")
    # Append-only: rows of 'login_locked' stay; the old check holds for new rows only.
    op.execute("alter table api_session_events add constraint session_event_known check "
               "(event in ('login', 'logout', 'login_refused', 'expired')) not valid")
    op.drop_column("api_session_events", "officer_id")
    op.execute("delete from api_sessions where officer_id is not null")
    op.drop_constraint("session_has_one_holder", "api_sessions")
    op.drop_column("api_sessions", "officer_id")
    op.alter_column("api_sessions", "key_id", nullable=False)
    op.drop_table("officers")
