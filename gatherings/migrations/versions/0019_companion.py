"""companion: when a participant's companion came in, and when their own invitation last changed

Revision ID: 0019_companion
Revises: 0022_messages

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_companion'
down_revision = '0022_messages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('companion_checked_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('invitation_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('invitation_changed_at')
        batch_op.drop_column('companion_checked_in_at')
