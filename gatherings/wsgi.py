"""The app for a WSGI server, importable from an installed package: ``gunicorn gatherings.wsgi:app``.

``flask --app gatherings ...`` finds ``create_app`` by itself; in the checkout ``wsgi.py`` serves the same app.
"""
from . import create_app

app = create_app()
