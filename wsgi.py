"""Entry point in the checkout: ``flask --app wsgi ...`` and ``gunicorn wsgi:app`` (the package's is ``gatherings.wsgi``)."""
from gatherings.wsgi import app  # noqa: F401
