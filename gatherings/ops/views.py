"""``/healthz``: for the load balancer. 200 when this process can reach the database, else 503."""
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as error:
        current_app.logger.warning("healthz: database unreachable (%s)", error.__class__.__name__)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
        response = jsonify({"status": "unavailable", "database": "unreachable"})
        response.status_code = 503
    else:
        response = jsonify({"status": "ok", "database": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response
