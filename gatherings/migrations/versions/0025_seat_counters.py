"""seat counters kept by triggers: seat_count per gathering and group, people per workshop and status

Revision ID: 0025_seat_counters
Revises: 0019_companion

"""
from alembic import op
import sqlalchemy as sa

from gatherings import seat_counters


# revision identifiers, used by Alembic.
revision = '0025_seat_counters'
down_revision = '0019_companion'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'seat_count',
        sa.Column('gathering_id', sa.Integer(), nullable=False),
        sa.Column('grp', sa.String(length=20), nullable=False),
        sa.Column('confirmed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('waitlisted', sa.Integer(), server_default='0', nullable=False),
        sa.Column('in_line', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_seat_count_gathering_id_gathering'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('gathering_id', 'grp', name=op.f('pk_seat_count')),
    )
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        for column in ('seated_people', 'waiting_people', 'pending_people'):
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default='0', nullable=False))
    connection = op.get_bind()
    # The counting triggers as they are in this release, and counts for what is already stored.
    seat_counters.install(connection)
    seat_counters.recount(connection)


def downgrade():
    seat_counters.uninstall(op.get_bind())
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        for column in ('pending_people', 'waiting_people', 'seated_people'):
            batch_op.drop_column(column)
    op.drop_table('seat_count')
