"""API keys of licensing departments (许可部门): the 双告知 notices of their own department only.

Revision ID: 0038_licensing_keys
Revises: 0037_workbench_reads

Until now a licensing department could read its 双告知 notices (domain.md §11) only with a
``bureau`` key, which also opens every bureau call: tiers with their reasons — bank-credit
reasons among them, which are never shown outside the bureau (domain.md §11, 征信业管理条例) —
and every other department's notices. A ``licensing`` key is bound to one department
(``api_keys.department``, a name of config/notices.yaml) and reads that department's notices
alone (``GET /v1/licensing/notices``, credit.api.routes); for everything else it is a public caller.

- ``api_keys.role`` may be ``licensing``;
- ``api_keys.department``: the department a licensing key stands for; set exactly on licensing keys.

Existing keys are unchanged (no department, their role as before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0038_licensing_keys"
down_revision = "0037_workbench_reads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column(
        "department", sa.Text(), nullable=True,
        comment="the licensing department (config/notices.yaml) a licensing key reads the notices of"))
    op.drop_constraint("api_key_role_known", "api_keys", type_="check")
    op.create_check_constraint("api_key_role_known", "api_keys", "role in ('public','consumer','bureau','licensing')")
    op.create_check_constraint("api_key_department_of_licensing", "api_keys",
                               "(role = 'licensing') = (department is not null)")


def downgrade() -> None:
    # Referenced by sessions and the request log: kept, revoked, as public keys (the role that remains).
    op.execute("update api_keys set role = 'public', department = null, revoked_at = coalesce(revoked_at, now()) "
               "where role = 'licensing'")
    op.drop_constraint("api_key_department_of_licensing", "api_keys", type_="check")
    op.drop_constraint("api_key_role_known", "api_keys", type_="check")
    op.create_check_constraint("api_key_role_known", "api_keys", "role in ('public','consumer','bureau')")
    op.drop_column("api_keys", "department")
