"""participants: a companion, the registration's language, when needs were last changed

Revision ID: 0017_participants
Revises: 0016_alerts

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_participants'
down_revision = '0016_alerts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('companion', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('companion_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='nl', nullable=False))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('companion_name')
        batch_op.drop_column('companion')
        batch_op.drop_column('needs_changed_at')
