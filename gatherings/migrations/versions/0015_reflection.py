"""reflection and certificates: invitations, anonymous answers, per-gathering settings, verification codes

reflection_answer has no column that leads to a person: only the gathering,
the perspective group and the day.

Revision ID: 0015_reflection
Revises: 0010_mail
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_reflection'
down_revision = '0010_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reflection_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('perspective_group', sa.String(length=20), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('takeaway', sa.Text(), nullable=False),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.CheckConstraint("perspective_group IN ('lived', 'relatives', 'professionals', 'unknown')", name=op.f('ck_reflection_answer_perspective_group')),
    sa.CheckConstraint('value IS NULL OR (value >= 1 AND value <= 5)', name=op.f('ck_reflection_answer_value_range')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_reflection_answer_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflection_answer'))
    )
    with op.batch_alter_table('reflection_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflection_answer_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('reflection_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('perspective_group', sa.String(length=20), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.CheckConstraint("perspective_group IN ('lived', 'relatives', 'professionals', 'unknown')", name=op.f('ck_reflection_invitation_perspective_group')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_reflection_invitation_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflection_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_reflection_invitation_token_hash'))
    )
    with op.batch_alter_table('reflection_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflection_invitation_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('reflection_settings',
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('takeaway_question', sa.String(length=300), nullable=False),
    sa.Column('suggestion_question', sa.String(length=300), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_reflection_settings_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gathering_id', name=op.f('pk_reflection_settings'))
    )
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_certificate_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_certificate_registration_id'))
    )


def downgrade():
    op.drop_table('certificate')
    op.drop_table('reflection_settings')
    with op.batch_alter_table('reflection_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflection_invitation_gathering_id'))

    op.drop_table('reflection_invitation')
    with op.batch_alter_table('reflection_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflection_answer_gathering_id'))

    op.drop_table('reflection_answer')
