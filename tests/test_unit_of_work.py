"""Who commits (survey/db.py): a request, a command or a job commits once or rolls back;
services only flush. Each test calls real services and then looks at what the database kept,
through a fresh app context (a new session), on SQLite and PostgreSQL."""

from __future__ import annotations

import click
import pytest
from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey.access import policy
from survey.accounts.models import Person, Unit
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign
from survey.db import unit_of_work
from survey.extensions import db
from survey.living.models import LivingDocument
from tests.conftest import make_person

PROBE = "unit_of_work_probe"  # a throwaway endpoint, added to the access table by the fixture


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _change_through_services(person_id: int) -> None:
    """What a view or command does before it fails: a savepoint first (the living document),
    then plain writes (a campaign, an audit entry)."""
    from survey.audit.services import record
    from survey.campaigns.services import create_campaign
    from survey.living.services import document_for

    document_for(db.session.get(Person, person_id))
    campaign = create_campaign("heltid-arlig", "anonymous", "Probe")
    record("change", actor_id=person_id, object_type="campaign", object_id=campaign.id)


@pytest.fixture
def probe(app, monkeypatch):
    """A route whose view changes the database through services and then ends as `?end=`
    says: return 200 or 401, abort(403), or raise."""
    person_id = make_person(app, password=None)

    def view():
        from flask import request

        _change_through_services(person_id)
        end = request.args["end"]
        if end == "abort":
            abort(403)
        if end == "raise":
            raise RuntimeError("after the service call")
        return ("refused", 401) if end == "401" else "done"

    app.add_url_rule("/test/unit-of-work", PROBE, view)
    monkeypatch.setitem(policy.POLICY, PROBE, policy.PUBLIC)
    return app.test_client()


def _kept(app) -> tuple[int, int, int]:
    """Campaigns, living documents and audit entries in the database."""
    return _count(app, Campaign), _count(app, LivingDocument), _count(app, AuditEntry)


@pytest.mark.parametrize("end", ["200", "401"])
def test_a_view_that_returns_commits_whatever_its_status(app, probe, end):
    before = _kept(app)
    response = probe.get(f"/test/unit-of-work?end={end}")
    assert response.status_code == int(end)
    assert _kept(app) == tuple(n + 1 for n in before)


def test_an_exception_after_a_service_call_leaves_nothing(app, probe):
    before = _kept(app)
    with pytest.raises(RuntimeError, match="after the service call"):
        probe.get("/test/unit-of-work?end=raise")  # under TESTING the error reaches the test
    assert _kept(app) == before


def test_the_error_page_of_an_exception_commits_nothing(app, probe):
    """In production the error handler turns the exception into a 500 page, and the
    response still passes the after-request functions: nothing of the view may be kept."""
    before = _kept(app)
    app.config["TESTING"] = False
    response = probe.get("/test/unit-of-work?end=raise")
    assert response.status_code == 500
    assert _kept(app) == before


def test_a_view_that_aborts_after_a_service_call_leaves_nothing(app, probe):
    before = _kept(app)
    response = probe.get("/test/unit-of-work?end=abort")
    assert response.status_code == 403
    assert _kept(app) == before


def test_a_commit_that_fails_is_a_500_not_a_lost_save(app, monkeypatch):
    """The commit runs before the response leaves, so the person sees that nothing was saved."""

    def view():
        db.session.add(Unit(code="samme", name="Første"))
        db.session.add(Unit(code="samme", name="Andre"))  # unique code: fails at the commit
        return "saved"

    app.add_url_rule("/test/failing-commit", PROBE, view)
    monkeypatch.setitem(policy.POLICY, PROBE, policy.PUBLIC)
    app.config["TESTING"] = False
    response = app.test_client().get("/test/failing-commit")
    assert response.status_code == 500
    assert "saved" not in response.get_data(as_text=True)
    assert _count(app, Unit) == 0


def test_a_command_that_fails_half_way_leaves_nothing(app, runner):
    """`users create` makes the person, then finds that an enhetsleder needs a unit."""
    result = runner.invoke(
        args=["users", "create", "leder@kommune.no", "--role", "ansatt", "--role", "enhetsleder"]
    )
    assert result.exit_code == 1
    assert "enhetsleder needs --unit" in result.output
    assert _count(app, Person) == 0
    assert _count(app, AuditEntry) == 0


def test_a_command_that_raises_after_service_calls_leaves_nothing(app, runner):
    person_id = make_person(app, password=None)

    @app.cli.command("unit-of-work-probe")
    @unit_of_work()
    def probe_command():
        _change_through_services(person_id)
        raise click.ClickException("half-way")

    before = _kept(app)
    result = runner.invoke(args=["unit-of-work-probe"])
    assert result.exit_code == 1 and "half-way" in result.output
    assert _kept(app) == before


def test_a_command_commits_once_when_it_returns(app, runner):
    result = runner.invoke(
        args=["campaign", "create", "--questionnaire", "heltid-arlig", "--mode", "anonymous"]
    )
    assert result.exit_code == 0, result.output
    assert _count(app, Campaign) == 1


def test_a_savepoint_keeps_the_rest_of_the_unit_of_work(app):
    """A nested attempt that fails (here a unique code) rolls back to its savepoint; what the
    unit of work did before and after it is committed."""
    with app.app_context(), unit_of_work():
        db.session.add(Unit(code="forst", name="Før"))
        db.session.flush()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(Unit(code="forst", name="Dobbel"))
        db.session.add(Unit(code="etter", name="Etter"))
    with app.app_context():
        assert set(db.session.scalars(select(Unit.code))) == {"forst", "etter"}


def test_a_unit_of_work_does_not_nest(app):
    with app.app_context(), pytest.raises(RuntimeError, match="begin_nested"), unit_of_work():
        db.session.add(Unit(code="ytre", name="Ytre"))
        with unit_of_work():
            pass
    assert _count(app, Unit) == 0


def test_a_double_submit_keeps_the_first_and_adds_nothing(app, respondent):
    """The second send of the same answers finds the response submitted: one response, the
    first answers, and the request after it still commits its own work (no rollback of it)."""
    from survey.answering.models import Answer, Response, Status
    from tests.web.helpers import FULL_TIME, make_campaign

    _, slug = make_campaign(app)
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(f"/s/{slug}/oppsummering")
    token = respondent.csrf()
    first = respondent.client.post(f"/s/{slug}/send", data={"csrf_token": token})
    second = respondent.client.post(f"/s/{slug}/send", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/kvittering")
    with app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        assert response.status is Status.SUBMITTED
        stored = dict(
            db.session.execute(
                select(Answer.question, Answer.value).where(Answer.response_id == response.id)
            ).all()
        )
    assert stored["stillingsprosent"] == 100 and stored["fornoyd_storrelse"] == "yes"
