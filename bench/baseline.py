"""The baseline for bench/rush.py: the least a Flask app can do for the same browser flow.

``GET /gatherings/<slug>`` gives a form with a token (also set as a cookie),
``POST /gatherings/<slug>/register`` checks the token, does one INSERT and
answers 303, ``GET /r/<id>`` gives a short page. No templates, no ORM, one
psycopg connection per process. Served by gunicorn with the same settings as
the app: ``gunicorn -c gunicorn.conf.py --chdir bench baseline:app``.
"""
import os
import secrets

import psycopg
from flask import Flask, abort, redirect, request

app = Flask(__name__)
_connection = None

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Aanmelden</title></head>
<body><h1>Aanmelden</h1><form method="post" action="/gatherings/{slug}/register">
<input type="hidden" name="csrf_token" value="{token}">
<input name="name"><input name="email"><input type="checkbox" name="consent" value="y">
<button>Aanmelden</button></form></body></html>"""


def connection():
    global _connection
    if _connection is None or _connection.closed:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
        _connection = psycopg.connect(url)
    return _connection


@app.get("/gatherings/<slug>")
def page(slug):
    token = secrets.token_urlsafe(32)
    response = app.make_response(PAGE.format(slug=slug, token=token))
    response.set_cookie("token", token, httponly=True, samesite="Lax")
    return response


@app.post("/gatherings/<slug>/register")
def register(slug):
    if not request.form.get("csrf_token") or request.form["csrf_token"] != request.cookies.get("token"):
        abort(400)
    conn = connection()
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO baseline_registration (name, email) VALUES (%s, %s) RETURNING id",
            (request.form.get("name", ""), request.form.get("email", "")),
        ).fetchone()
    return redirect(f"/r/{row[0]}", code=303)


@app.get("/r/<int:registration_id>")
def show(registration_id):
    return f"<!doctype html><html lang=\"nl\"><body><p>Aanmelding {registration_id} ontvangen.</p></body></html>"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
