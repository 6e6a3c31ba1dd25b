"""The employee keeps their wishes current from «Min side»: each save is a revision of their
living document and lands in the project leaders' «Endringer» inbox."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.models import Role
from survey.conversations.flow import Flow
from survey.conversations.models import DraftKind
from survey.engine.definition import EMPLOYEE_AUDIENCE
from survey.living import presenting as living

bp = Blueprint("wishes", __name__, url_prefix="/meg/onsker")


def _flow() -> Flow:
    person = current_user.person
    return Flow(
        person=person,
        author=person,
        author_role=Role.ANSATT.value,
        kind=DraftKind.WISHES,
        endpoint="wishes",
        url_args={},
        title=_("Update your wishes"),
    )


def _done() -> str:
    return url_for("me.overview")


@bp.get("/")
def start():
    flow = _flow()
    return render_template(
        "conversations/start.html",
        flow=flow,
        draft=flow.draft_view(),
        document=living.current_view(flow.person, str(get_locale() or "nb"), EMPLOYEE_AUDIENCE),
    )


@bp.post("/")
def begin():
    return _flow().start()


@bp.route("/side/<name>", methods=["GET", "POST"])
def page(name: str):
    return _flow().page(name)


@bp.get("/oppsummering")
def review():
    return _flow().review()


@bp.post("/lagre")
def save():
    return _flow().save(_done())


@bp.route("/konflikt", methods=["GET", "POST"])
def conflict():
    return _flow().conflict(_done())


@bp.post("/forkast")
def discard():
    return _flow().discard(_done())
