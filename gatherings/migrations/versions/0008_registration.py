"""registration: submission_key, so that a double click's second request is known as the same submission

Nullable (organiser adds, walk-ins and forms without a session have none) and
without an index: it is only compared with the registration found by address.

Revision ID: 0008_registration
Revises: 0007_mail
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_registration"
down_revision = "0007_mail"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("submission_key")
