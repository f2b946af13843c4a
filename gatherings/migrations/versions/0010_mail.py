"""mail: sent messages keep no bodies (their links still open /my and /r/ for days)

From now on the sender empties ``body_text`` and ``body_html`` when a message is
sent or has failed for good; this empties them in the rows sent before. Nothing
to restore on downgrade: the texts are gone, as intended.

Revision ID: 0010_mail
Revises: 0008_registration
"""
from alembic import op


revision = "0010_mail"
down_revision = "0008_registration"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE outbox_message SET body_text = '', body_html = '' "
               "WHERE status IN ('sent', 'failed') AND (body_text <> '' OR body_html <> '')")


def downgrade():
    pass
