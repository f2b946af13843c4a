"""programme: parts, workshops, choices

Revision ID: 0018_programme
Revises: 0017_participants


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_programme'
down_revision = '0017_participants'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('programme_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('optional', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('plenary', 'round')", name=op.f('ck_programme_part_kind')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_programme_part_ends_after_start')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_programme_part_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_part'))
    )
    with op.batch_alter_table('programme_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_part_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('leader', sa.String(length=200), nullable=False),
    sa.Column('room', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_workshop_capacity_not_negative')),
    sa.ForeignKeyConstraint(['part_id'], ['programme_part.id'], name=op.f('fk_workshop_part_id_programme_part'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop'))
    )
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_part_id'), ['part_id'], unique=False)

    op.create_table('workshop_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('seated', 'waiting', 'pending', 'none')", name=op.f('ck_workshop_choice_status')),
    sa.ForeignKeyConstraint(['part_id'], ['programme_part.id'], name=op.f('fk_workshop_choice_part_id_programme_part'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_workshop_choice_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_workshop_choice_workshop_id_workshop'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_choice')),
    sa.UniqueConstraint('registration_id', 'part_id', name=op.f('uq_workshop_choice_registration_id'))
    )
    with op.batch_alter_table('workshop_choice', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_choice_workshop_status', ['workshop_id', 'status'], unique=False)




def downgrade():

    with op.batch_alter_table('workshop_choice', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_choice_workshop_status')

    op.drop_table('workshop_choice')
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_part_id'))

    op.drop_table('workshop')
    with op.batch_alter_table('programme_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_part_gathering_id'))

    op.drop_table('programme_part')

