"""The app's logs (survey/logs.py): one line per request with its id, the id echoed to the
browser and shown on error pages, JSON lines on demand, and no secret or personal data in
anything a full answering walk or a mapping conversation writes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest

from survey import create_app
from survey.logs import REQUEST_ID_HEADER
from tests.conftest import Respondent, login_as, make_person
from tests.living.test_conversation import ANSWERS as CONVERSATION_ANSWERS
from tests.living.test_conversation import Respondent as StaffBrowser
from tests.living.test_conversation import walk
from tests.security.conftest import csrf_token
from tests.web.helpers import FULL_TIME, make_campaign, make_invitations

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "survey.requests"]


@pytest.fixture
def own_app(app):
    """Build a private app on the test's database (with `**changes` to its config), for tests
    that add hooks or change logging: the shared app stays as it was, and so does logging."""
    from survey import logs as app_logs
    from survey.extensions import db

    built = []

    def build(**changes):
        built.append(create_app({**app.config, **changes}))
        return built[-1]

    yield build
    for extra in built:
        with extra.app_context():
            db.engine.dispose()
    app_logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


@pytest.fixture
def logs(caplog):
    """Everything the app logs, at its most talkative."""
    caplog.set_level(logging.DEBUG, logger="survey")
    return caplog


def test_one_line_per_request_names_the_endpoint_not_the_path(app, client, logs):
    campaign_id, _slug = make_campaign(app, mode="confidential")
    [token] = make_invitations(app, campaign_id)
    logs.clear()
    response = client.get(f"/i/{token}?kode=ABCDEFGH")
    assert response.status_code == 200
    [line] = request_lines(logs)
    assert (line.method, line.endpoint, line.status) == ("GET", "answering.invitation", 200)
    assert isinstance(line.duration_ms, int) and 0 <= line.duration_ms < 60_000
    assert GENERATED_ID.fullmatch(line.request_id)
    assert line.user_id == "anonym"
    text = logging.getLogger("survey").handlers[0].format(line)
    assert f"request={line.request_id} user=anonym GET answering.invitation 200 " in text
    assert text.endswith(" ms")
    assert token not in text and "ABCDEFGH" not in text and "/i/" not in text


def test_the_line_names_a_logged_in_user_by_id(app, client, logs):
    person = make_person(app, "prosjektleder", name="Pia Prosjekt")
    login_as(client, app, person)
    assert client.get("/meg/").status_code == 200
    client.get("/finnes-ikke")  # no route: the guard never loaded the user
    lines = request_lines(logs)
    assert [(line.endpoint, line.user_id) for line in lines] == [
        ("me.overview", str(person)),
        ("-", str(person)),
    ]
    assert lines[1].status == 404


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-2026.12.03_abc", True),
        ("a" * 64, True),
        ("a" * 65, False),  # too long
        ("abc def", False),
        ("abc\u00e6", False),
        ('abc"}{', False),
        ("", False),
    ],
)
def test_a_sane_request_id_is_kept_and_any_other_replaced(app, client, logs, sent, kept):
    response = client.get("/personvern", headers={REQUEST_ID_HEADER: sent})
    echoed = response.headers[REQUEST_ID_HEADER]
    [line] = request_lines(logs)
    assert line.request_id == echoed
    if kept:
        assert echoed == sent
    else:
        assert GENERATED_ID.fullmatch(echoed)


def test_every_record_of_a_request_carries_its_id(own_app, logs):
    """A record a module logger writes during the request has the request line's id."""
    app = own_app()

    @app.before_request
    def service_event():
        logging.getLogger("survey.some.service").info("something happened")

    app.test_client().get("/personvern", headers={REQUEST_ID_HEADER: "support-42"})
    service, line = [r for r in logs.records if r.name.startswith("survey.")]
    assert service.getMessage() == "something happened"
    assert service.request_id == line.request_id == "support-42"
    assert service.user_id == "anonym"


def test_the_404_page_shows_the_request_id(app, client, logs):
    response = client.get("/finnes-ikke", headers={REQUEST_ID_HEADER: "support-404"})
    assert response.status_code == 404
    assert response.headers[REQUEST_ID_HEADER] == "support-404"
    assert "Feilkode for brukerstøtte: support-404" in response.get_data(as_text=True)
    english = client.get("/finnes-ikke", headers={"Accept-Language": "en"})
    assert f"Error code for support: {english.headers[REQUEST_ID_HEADER]}" in english.get_data(
        as_text=True
    )


def test_the_500_page_shows_the_id_of_the_logged_error(own_app, logs):
    app = own_app(TESTING=False)  # in tests the error handler re-raises

    @app.before_request
    def fail():
        raise RuntimeError("the database went away")

    response = app.test_client().get("/personvern", headers={"Accept-Language": "nn"})
    assert response.status_code == 500
    request_id = response.headers[REQUEST_ID_HEADER]
    assert f"Feilkode for brukarstøtte: {request_id}" in response.get_data(as_text=True)
    error = next(r for r in logs.records if r.levelname == "ERROR")
    assert error.request_id == request_id and error.exc_info
    [line] = request_lines(logs)
    assert (line.status, line.request_id) == (500, request_id)


def test_json_lines_parse(own_app, capsys):
    json_app = own_app(LOG_FORMAT="json")
    capsys.readouterr()
    json_app.test_client().get("/personvern", headers={REQUEST_ID_HEADER: "json-1"})
    json_app.logger.warning("a warning outside any request")
    lines = capsys.readouterr().err.strip().splitlines()
    request, warning = (json.loads(line) for line in lines)
    assert request["logger"] == "survey.requests" and request["level"] == "INFO"
    assert (request["method"], request["endpoint"], request["status"]) == (
        "GET",
        "main.privacy",
        200,
    )
    assert request["request_id"] == "json-1" and request["user_id"] == "anonym"
    assert isinstance(request["duration_ms"], int)
    assert dt.datetime.fromisoformat(request["time"]).utcoffset() == dt.timedelta(0)
    assert warning["message"] == "a warning outside any request"
    assert warning["request_id"] == warning["user_id"] == "-"


def test_one_handler_however_many_apps_and_the_root_logger_untouched(own_app):
    root_handlers = list(logging.getLogger().handlers)
    own_app()
    own_app()
    assert len(logging.getLogger("survey").handlers) == 1
    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger("survey").propagate  # pytest's caplog (and a host's root) see it


@pytest.mark.parametrize(
    ("key", "value"), [("LOG_FORMAT", "xml"), ("LOG_LEVEL", "LOUD")], ids=["format", "level"]
)
def test_an_unknown_log_setting_stops_the_start(own_app, key, value):
    with pytest.raises(ValueError, match=key):
        own_app(**{key: value})


def test_log_settings_come_from_the_environment(monkeypatch):
    from survey.config import from_environment

    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    assert from_environment().items() >= {("LOG_FORMAT", "json"), ("LOG_LEVEL", "WARNING")}


def test_an_answering_walk_and_a_conversation_log_no_secrets(app, client, logs, capsys):
    """The acceptance test of issue 11: every request of a walk through the answering flow
    (a personal link, a resume code on a second device, a login link) and of a mapping
    conversation is logged with a request id, and neither the records nor the lines the
    handler wrote hold a token, a resume code, a name, an e-mail address or an answer."""
    from survey.accounts.models import Person, TokenPurpose
    from survey.accounts.services import issue_token
    from survey.extensions import db

    people = {
        "leader": ("Pia Prosjektleder", "pia.prosjektleder@kommune.no"),
        "employee": ("Eva Ansattesen", "eva.ansattesen@kommune.no"),
    }
    leader = make_person(app, "prosjektleder", name=people["leader"][0], email=people["leader"][1])
    employee = make_person(
        app, unit="omsorg_a", name=people["employee"][0], email=people["employee"][1]
    )
    with app.app_context():
        login_token = issue_token(
            db.session.get(Person, employee), TokenPurpose.LOGIN, dt.timedelta(days=1)
        )
        db.session.commit()
    secrets = [login_token, *(value for pair in people.values() for value in pair)]

    # A personal link, from the welcome page to the receipt.
    campaign_id, slug = make_campaign(app, mode="confidential")
    [invitation] = make_invitations(app, campaign_id)
    secrets.append(invitation)
    phone = Respondent(app.test_client())
    phone.get(f"/i/{invitation}")
    phone.post(f"/i/{invitation}", follow=True)
    phone.answer_page({**FULL_TIME, "stillingsprosent": "100"})
    phone.get(phone.last.headers["Location"])
    phone.answer_page({"fornoyd_storrelse": "yes"})
    phone.get(phone.last.headers["Location"])
    phone.answer_page({"kommentar": "Turnusen passer meg svært godt"})
    secrets.append("Turnusen passer meg svært godt")
    phone.get(f"/s/{slug}/oppsummering")
    assert phone.post(f"/s/{slug}/send").headers["Location"].endswith("/kvittering")

    # An open campaign resumed with the code on another device.
    _, open_slug = make_campaign(app)
    first = Respondent(app.test_client())
    first.get(f"/s/{open_slug}")
    first.post(f"/s/{open_slug}/start", follow=True)
    code = first.html.split('class="resume-code"><strong>')[1].split("<")[0]
    secrets += [code, code.replace("-", ""), code.replace("-", "").lower()]
    first.answer_page(FULL_TIME)
    second = Respondent(app.test_client())
    second.get(f"/s/{open_slug}")
    assert second.post(f"/s/{open_slug}/fortsett", {"code": code.lower()}).status_code == 302

    # The employee logs in with a login link.
    own = Respondent(app.test_client())
    own.get(f"/lenke/{login_token}")
    confirmed = own.post(f"/lenke/{login_token}", {"csrf_token": csrf_token(own.last)})
    assert confirmed.headers["Location"].endswith("/meg/")
    own.get("/meg/")

    # The project leader holds the mapping conversation and saves it.
    login_as(client, app, leader)
    staff = StaffBrowser(client)
    staff.get(f"/samtaler/{employee}")
    review = walk(staff, f"/samtaler/{employee}", CONVERSATION_ANSWERS)
    staff.get(review)
    assert staff.post(f"/samtaler/{employee}/lagre", {}).status_code == 302
    staff.get(f"/personer/{employee}")
    secrets += [CONVERSATION_ANSWERS["notater"], CONVERSATION_ANSWERS["avtalte_tiltak"]]

    lines = request_lines(logs)
    endpoints = {line.endpoint for line in lines}
    assert {
        "answering.invitation",
        "answering.page",
        "answering.submit",
        "answering.resume",
        "auth.login_link",
        "conversations.page",
        "conversations.save",
        "people.detail",
    } <= endpoints, endpoints
    for line in lines:
        assert GENERATED_ID.fullmatch(line.request_id), line.getMessage()
    assert len({line.request_id for line in lines}) == len(lines)
    assert {line.user_id for line in lines} >= {"anonym", str(employee), str(leader)}

    written = capsys.readouterr().err
    assert f"request={lines[0].request_id} " in written  # the handler wrote the lines
    captured = "\n".join([logs.text, written, *(repr(vars(record)) for record in logs.records)])
    for secret in secrets:
        assert secret not in captured, secret
        assert secret.lower() not in captured.lower(), secret


def test_important_events_are_logged_by_id_only(app, tmp_path, logs):
    """Campaigns, links issued, a living-document import, committee decisions and an erasure
    each leave one line naming ids and counts, never a name, an address or a token."""
    from sqlalchemy import select

    from survey.accounts.models import Person, TokenPurpose
    from survey.accounts.services import issue_token
    from survey.admin.erasure import erase_person
    from survey.campaigns.services import create_campaign, create_invitations, set_open
    from survey.committee import services as committee
    from survey.committee.models import CaseStatus, Vacancy
    from survey.extensions import db
    from survey.living.importing import apply_mappings, plan_mappings
    from survey.roster.reading import read_file
    from tests.committee.conftest import build_case

    case = build_case(app)
    admin = make_person(app, "admin", name="Ada Admin", email="ada.admin@kommune.no")
    leaver = make_person(app, name="Lars Slutter", email="lars.slutter@kommune.no")
    roster_file = tmp_path / "kartlegging.csv"
    roster_file.write_text("ansattnummer;stillingsprosent\n4711;50\n", encoding="utf-8")
    with app.app_context():
        people = db.session.scalars(select(Person)).all()
        personal = [value for person in people for value in (person.name, person.email)]
        db.session.get(Person, leaver).ansattnummer = "4711"
        logs.clear()

        campaign = create_campaign("heltid-arlig", "confidential", "Årlig kartlegging")
        tokens = create_invitations(campaign, 2)
        set_open(campaign, False)
        link = issue_token(db.session.get(Person, leaver), TokenPurpose.LOGIN, dt.timedelta(1))
        report = apply_mappings(plan_mappings(read_file(roster_file), dt.date(2026, 1, 1)))
        vacancy = db.session.get(Vacancy, case["vacancy"])
        [candidate, *_] = committee.candidates_for(vacancy)
        decision = committee.record_decision(vacancy, candidate.person_id, "offered", actor=None)
        committee.set_status(vacancy, CaseStatus.CLOSED, actor=None)
        erase_person(db.session.get(Person, leaver), actor_id=admin)
        db.session.commit()
        campaign_id, decision_id, created = campaign.id, decision.id, len(report.created)
        events = [
            (record.name, record.getMessage())
            for record in logs.records
            if record.name != "survey.requests"
        ]

    assert created == 1
    *others, (erasure_logger, erasure) = events
    assert erasure_logger == "survey.admin.erasure"
    assert erasure.startswith(f"person {leaver} erased by person {admin}: ")
    assert "'login_links_deleted': 1" in erasure
    assert others == [
        (
            "survey.campaigns.services",
            f"campaign {campaign_id} created (heltid-arlig, confidential)",
        ),
        ("survey.campaigns.services", f"2 personal links created for campaign {campaign_id}"),
        ("survey.campaigns.services", f"campaign {campaign_id} closed"),
        ("survey.accounts.services", f"login link issued for person {leaver}"),
        (
            "survey.living.importing",
            "living-document import: 1 new documents, 0 new revisions, 0 unchanged",
        ),
        (
            "survey.committee.services",
            f"committee case {case['vacancy']}: decision {decision_id} (offered)",
        ),
        ("survey.committee.services", f"committee case {case['vacancy']} closed"),
    ]
    for secret in [*personal, *tokens, link]:
        assert secret not in logs.text, secret


def test_roster_and_unit_imports_log_counts_never_names(runner, tmp_path, logs):
    from tests.roster.test_import import ROSTER, UNITS, cp1252_file, invoke

    units = tmp_path / "enheter.csv"
    units.write_text(UNITS, encoding="utf-8")
    assert invoke(runner, "units", "import", units).exit_code == 0
    assert invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER)).exit_code == 0
    messages = [r.getMessage() for r in logs.records if r.name.startswith("survey.roster.")]
    assert messages == [
        "unit import: 5 new units, 0 updated, 0 unchanged",
        "roster import: 3 new employees, 0 updated, 0 unchanged, 0 not in the file "
        "(0 newly marked as left), 0 new units",
    ]
    for row in ROSTER:
        fields = row.split(";")
        for personal in (fields[1], fields[-1]):  # the name and the e-mail address
            if personal:
                assert personal not in logs.text, personal
