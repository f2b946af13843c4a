"""mail: messages about a registration are queued unrendered (the sender renders them)

body_text and body_html may be NULL until the sender renders the row; the
message's own facts (a waiting-list position, an organiser's words ...) wait
in ``context`` (JSON text).

Revision ID: 0007_mail
Revises: 0006_calendar
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_mail"
down_revision = "0006_calendar"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=True))
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=True)


def downgrade():
    # Rows not rendered yet cannot be rendered here, and the older sender cannot render them:
    # mark the unsent ones failed, with the reason, rather than let it send empty mail.
    op.execute("UPDATE outbox_message SET "
               "status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END, "
               "last_error = CASE WHEN status IN ('queued', 'sending') "
               "THEN 'not rendered before the database was downgraded' ELSE last_error END, "
               "body_text = COALESCE(body_text, ''), body_html = COALESCE(body_html, '') "
               "WHERE body_text IS NULL OR body_html IS NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("context")
