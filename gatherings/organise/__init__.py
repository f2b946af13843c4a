"""The organiser area: accounts, access and running gatherings, under /organise/."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Flask-Login and the organisers' words in templates; called from create_app."""
    from ..catalogue.labels import STATUS_LABELS
    from . import auth

    auth.init_app(app)
    app.jinja_env.globals.update(status_labels=STATUS_LABELS)
