"""/healthz: the process answers. /readyz: it can serve (database, migrations, outbox).

Both are cheap (no template, no session, no user), public in the access policy, exempt from
the rate limits, GET only (so no CSRF token is asked for), and answer `Cache-Control:
no-store` (security.py, as for every page the policy does not mark cacheable)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, jsonify

from survey.extensions import db, limiter
from survey.health.checks import OK, readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    stuck_after = dt.timedelta(minutes=current_app.config["READYZ_OUTBOX_STUCK_MINUTES"])
    status = readiness(db.engine, stuck_after)
    ready = all(value == OK for value in status.values())
    return jsonify(status), 200 if ready else 503
