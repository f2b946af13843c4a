"""The alerts tests use the mail tests' SMTP server on loopback: the mails arrive as real messages."""
from tests.mail.conftest import app_config, smtp, smtp_port  # noqa: F401  (fixtures)
