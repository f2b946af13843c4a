"""messages: the history of organisers' messages to a gathering's registrants

Revision ID: 0022_messages
Revises: 0024_door_code

What was sent, when, by whom and to how many (the outbox forgets a message's words once sent).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_messages'
down_revision = '0024_door_code'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gathering_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('sender_email', sa.String(length=254), nullable=False),
    sa.Column('sender_name', sa.String(length=100), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('workshop_title', sa.String(length=200), server_default='', nullable=False),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("audience IN ('confirmed', 'waitlisted', 'all', 'workshop')", name=op.f('ck_gathering_message_audience')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_gathering_message_gathering_id_gathering'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gathering_message'))
    )
    with op.batch_alter_table('gathering_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_message_gathering_id'), ['gathering_id'], unique=False)


def downgrade():
    with op.batch_alter_table('gathering_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gathering_message_gathering_id'))
    op.drop_table('gathering_message')
