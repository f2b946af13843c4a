"""/my's tests use the mail tests' SMTP server on loopback: the access link arrives as real mail."""
from tests.mail.conftest import app_config, smtp, smtp_port  # noqa: F401  (fixtures)
