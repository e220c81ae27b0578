"""the API as an intranet security review expects: applicants, receipts, sessions (issue 14).

Revision ID: 0014_api_sessions
Revises: 0013_audit_roles

- ``repair_applicants``: who applied (``applicant``: ``counter`` for what a clerk recorded at the
  counter or on the command line, ``key:<id>`` for a caller with an API key, ``contact:<sha256>``
  for an online applicant who gave a contact, ``receipt:<sha256>`` for an anonymous one) and the
  SHA-256 of the receipt token shown once to an online applicant. One pending application per
  entry *per applicant*: an anonymous application on someone else's entry no longer blocks the
  entity itself. Append-only, like ``roster_requests``; applications recorded before this
  revision have no row and count as the counter's (online ones as their own applicant).
- ``api_sessions``: bureau page sign-ins (a random session id in an HttpOnly cookie, only its
  SHA-256 stored) with idle and absolute expiry; signing out deletes the row.
- ``api_session_events``: who signed in or out of the bureau page, and refused sign-ins
  (append-only).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_api_sessions"
down_revision = "0013_audit_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repair_applicants",
        sa.Column("request_id", sa.BigInteger(), sa.ForeignKey("roster_requests.id"), primary_key=True),
        sa.Column("applicant", sa.Text(), nullable=False,
                  comment="counter / key:<id> / contact:<sha256> / receipt:<sha256>"),
        sa.Column("receipt_hash", sa.Text(), nullable=True, comment="SHA-256 of the receipt token (online only)"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        comment="Who applied for repair (one pending application per entry per applicant) and the receipt's hash",
    )
    op.create_index("ux_repair_applicants_receipt", "repair_applicants", ["receipt_hash"], unique=True,
                    postgresql_where=sa.text("receipt_hash is not null"))
    op.create_index("ix_repair_applicants_applicant", "repair_applicants", ["applicant"])

    op.create_table(
        "api_sessions",
        sa.Column("session_hash", sa.Text(), primary_key=True, comment="SHA-256 of the session id in the cookie"),
        sa.Column("key_id", sa.BigInteger(), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, comment="absolute expiry"),
        sa.Column("client", sa.Text(), nullable=True, comment="client address at sign-in"),
        comment="Bureau page sessions (signed in with a bureau key); deleted at sign-out or expiry",
    )
    op.create_table(
        "api_session_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("key_id", sa.BigInteger(), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("key_name", sa.Text(), nullable=True),
        sa.Column("client", sa.Text(), nullable=True),
        sa.CheckConstraint("event in ('login', 'logout', 'login_refused', 'expired')", name="session_event_known"),
        comment="Who signed in to or out of the bureau page, and refused sign-ins (append-only)",
    )
    for table in ("repair_applicants", "api_session_events"):
        op.execute(f"""
        create trigger {table}_append_only before update or delete on {table}
            for each row execute function api_refuse_change();
        create trigger {table}_no_truncate before truncate on {table}
            for each statement execute function api_refuse_change();
        """)


    # The API role (0013_audit_roles) records applicants and sign-in events, and keeps its sessions:
    # the only table it may also update and delete in.
    op.execute("insert into role_table_grants values ('credit_api', 'repair_applicants', 'insert'), "
               "('credit_api', 'api_session_events', 'insert'), "
               "('credit_api', 'api_sessions', 'insert, update, delete') on conflict do nothing")
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute("delete from role_table_grants where table_name in "
               "('repair_applicants', 'api_session_events', 'api_sessions')")
    op.drop_table("api_session_events")
    op.drop_table("api_sessions")
    op.drop_table("repair_applicants")
