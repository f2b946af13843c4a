"""Entry point: ``flask --app wsgi ...`` and ``gunicorn wsgi:app``."""
from gatherings import create_app

app = create_app()
