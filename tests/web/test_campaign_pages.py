"""The campaign pages (issue 12): who may use them, a new campaign and its dates, inviting
from the roster (preview, then one POST that creates invitations and outbox rows, and
nothing twice), the texts with their validation, the letters PDF, reminders, delivery
failures and closing. On SQLite and PostgreSQL; the pages are read in English unless a test
says otherwise."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests.conftest import Respondent, login_as, make_person

# (name, unit code, yrkesgruppe, percent, e-mail, mobile)
ROSTER = [
    ("Anne Epost", "omsorg_a", "Helsefagarbeider", 60, "anne@kommune.no", None),
    ("Bjørn Epost", "omsorg_b", "Sykepleier", 100, "bjorn@kommune.no", "+4791000002"),
    ("Cecilie Mobil", "omsorg_a", "helsefagarbeider", 50, None, "+4791000003"),
    ("Dag Mobil", "omsorg_b", "Assistent", 40, None, "+4791000004"),
    ("Eva Brev", "omsorg_a", "Assistent", 30, None, None),
    ("Frode Hjemme", "hjemme", "Sykepleier", 80, "frode@kommune.no", None),
]


def _unit(code, name, parent=None):
    from survey.accounts.models import Unit
    from survey.extensions import db

    unit = Unit(code=code, name=name, parent=parent)
    db.session.add(unit)
    db.session.flush()
    return unit


@pytest.fixture
def roster(app):
    return make_roster(app)


def make_roster(app) -> dict[str, int]:
    """Omsorg with two sub-units, and Hjemmetjenesten beside it; six people on the roster.
    Returns their ids by first name."""
    from survey.accounts.models import Person
    from survey.db import unit_of_work
    from survey.extensions import db
    from survey.roster.models import Ansettelsesform, Position

    app.config["SMS_PROVIDER"] = "console"
    with app.app_context(), unit_of_work():
        omsorg = _unit("omsorg", "Omsorg")
        units = {
            "omsorg": omsorg,
            "omsorg_a": _unit("omsorg_a", "Omsorg A", omsorg),
            "omsorg_b": _unit("omsorg_b", "Omsorg B", omsorg),
            "hjemme": _unit("hjemme", "Hjemmetjenesten"),
        }
        ids = {}
        for name, unit, yrkesgruppe, percent, email, mobile in ROSTER:
            person = Person(name=name, email=email, mobile=mobile, unit=units[unit])
            db.session.add(person)
            db.session.flush()
            db.session.add(
                Position(
                    person_id=person.id,
                    unit_id=units[unit].id,
                    yrkesgruppe=yrkesgruppe,
                    stillingsprosent=Decimal(percent),
                    ansettelsesform=Ansettelsesform.FAST,
                )
            )
            ids[name.split()[0]] = person.id
        return ids


def _campaign(app, mode="identified", **schedule):
    from survey.campaigns.services import create_campaign
    from survey.db import unit_of_work

    with app.app_context(), unit_of_work():
        return create_campaign(
            "heltid-arlig",
            mode,
            "Årlig kartlegging 2027",
            title_nn="Årleg kartlegging 2027",
            title_en="Årlig kartlegging 2027",
            **schedule,
        ).id


def _staff(app, client, *roles, unit=None, lang="en") -> Respondent:
    person = make_person(app, *roles, unit=unit)
    login_as(client, app, person)
    with client.session_transaction() as session:
        session["lang"] = lang
    return Respondent(client)


@pytest.fixture
def leader(app, client):
    return _staff(app, client, "prosjektleder")


def _count(app, model, *where):
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _text(html: str) -> str:
    """The page's text without tags, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- who may use the pages --------------------------------------------------------------------


def test_management_pages_are_for_project_leaders_and_admins(app, roster):
    campaign = _campaign(app)
    pages = [
        "/kampanjer/ny",
        f"/kampanjer/{campaign}",
        f"/kampanjer/{campaign}/rediger",
        f"/kampanjer/{campaign}/inviter",
        f"/kampanjer/{campaign}/tekster",
        f"/kampanjer/{campaign}/utsendelse",
    ]
    for roles in [("prosjektleder",), ("admin",)]:
        staff = _staff(app, app.test_client(), *roles)
        assert staff.get("/kampanjer/").status_code == 200
        assert "Årlig kartlegging 2027" in staff.html
        for page in pages:
            assert staff.get(page).status_code == 200, (roles, page)
        assert staff.get("/kampanjer/999999").status_code == 404

    unit_leader = _staff(app, app.test_client(), "enhetsleder", unit="omsorg")
    assert unit_leader.get("/kampanjer/").status_code == 200
    assert "Årlig kartlegging 2027" in unit_leader.html
    assert f'href="/kampanjer/{campaign}"' not in unit_leader.html  # no management link
    assert f'href="/kampanjer/{campaign}/svar"' in unit_leader.html  # the response rates
    for page in [*pages, f"/kampanjer/{campaign}/brev.pdf"]:
        assert unit_leader.get(page).status_code == 403, page
    for page in ["inviter", "paminnelse", "status"]:
        response = unit_leader.client.post(f"/kampanjer/{campaign}/{page}", data={})
        assert response.status_code in (400, 403), page  # CSRF or policy, never through

    employee = _staff(app, app.test_client())
    assert employee.get("/kampanjer/").status_code == 403
    for page in pages:
        assert employee.get(page).status_code == 403

    anonymous = app.test_client()
    assert anonymous.get("/kampanjer/").status_code == 302


def test_the_menu_shows_surveys_to_those_who_may_see_them(app, client):
    leader = _staff(app, client, "prosjektleder")
    assert 'href="/kampanjer/"' in leader.get("/meg/").get_data(as_text=True)
    employee = _staff(app, app.test_client())
    assert 'href="/kampanjer/"' not in employee.get("/meg/").get_data(as_text=True)


def test_a_unit_leader_sees_counts_for_their_units_only(app, roster, leader):
    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}/inviter")
    leader.post(f"/kampanjer/{campaign}/inviter", {})
    text = _text(leader.get("/kampanjer/").get_data(as_text=True))
    assert "6 invited" in text

    unit_leader = _staff(app, app.test_client(), "enhetsleder", unit="omsorg_a")
    text = _text(unit_leader.get("/kampanjer/").get_data(as_text=True))
    assert "3 invited" in text and "0 answered" in text


def test_an_anonymous_campaigns_small_counts_are_hidden_in_the_list(app, roster, leader):
    """As on its response-rate page: fewer than SMALL_GROUP_MINIMUM invited, no figures."""
    campaign = _campaign(app, mode="anonymous")
    leader.get(f"/kampanjer/{campaign}/inviter")
    leader.post(f"/kampanjer/{campaign}/inviter", {})
    text = _text(leader.get("/kampanjer/").get_data(as_text=True))
    assert "6 invited" in text  # six people: not a small group

    unit_leader = _staff(app, app.test_client(), "enhetsleder", unit="omsorg_a")
    text = _text(unit_leader.get("/kampanjer/").get_data(as_text=True))
    assert "fewer than 5 invited: figures not shown" in text
    assert "3 invited" not in text


# --- a new campaign ---------------------------------------------------------------------------


def _create_form(**changes):
    form = {
        "questionnaire": "heltid-arlig",
        "mode": "identified",
        "title": "Heltid 2027",
        "title_nn": "Heiltid 2027",
        "title_en": "",
        "opens_on": "2099-01-04",
        "closes_on": "2099-01-31",
        "reminders": "7, 3",
        "language": "nn",
    }
    form.update(changes)
    return form


def test_creating_a_campaign_with_its_schedule(app, leader):
    from survey.campaigns.models import Campaign, Mode
    from survey.extensions import db

    leader.get("/kampanjer/ny")
    assert 'value="heltid-arlig"' in leader.html
    leader.post("/kampanjer/ny", _create_form())
    assert leader.last.status_code == 302
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        assert (campaign.questionnaire_id, campaign.mode) == ("heltid-arlig", Mode.IDENTIFIED)
        assert (campaign.title, campaign.title_nn, campaign.title_en) == (
            "Heltid 2027",
            "Heiltid 2027",
            None,
        )
        assert (campaign.opens_on, campaign.closes_on) == (
            dt.date(2099, 1, 4),
            dt.date(2099, 1, 31),
        )
        assert (campaign.reminder_days, campaign.language) == ([7, 3], "nn")
    assert leader.last.headers["Location"].endswith(f"/kampanjer/{campaign.id}")
    text = _text(leader.get(f"/kampanjer/{campaign.id}").get_data(as_text=True))
    assert "The survey is created." in text
    assert "January 4, 2099 to January 31, 2099" in text
    assert "7, 3 days before closing" in text
    assert "Opens January 4, 2099" in text  # before the period: not yet open


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"closes_on": "2099-01-01"}, "The closing date cannot be before the opening date."),
        ({"reminders": "7, tre"}, "«tre» is not a number of days."),
        ({"reminders": "0"}, "«0» is not a number of days."),
        (
            {"closes_on": "", "reminders": "3"},
            "Reminders are counted back from the closing date: set a closing date.",
        ),
        ({"questionnaire": ""}, "Choose a questionnaire."),
        ({"mode": ""}, "Choose how answers relate to who gave them."),
    ],
)
def test_a_campaign_with_bad_input_is_not_created(app, leader, changes, message):
    from survey.campaigns.models import Campaign

    leader.get("/kampanjer/ny")
    leader.post("/kampanjer/ny", _create_form(**changes))
    assert leader.last.status_code == 422
    assert message in leader.html
    assert "Nothing was saved." in leader.html
    assert _count(app, Campaign) == 0


def test_validation_messages_are_in_the_users_language(app, client):
    leader = _staff(app, client, "prosjektleder", lang="nb")
    leader.get("/kampanjer/ny")
    leader.post("/kampanjer/ny", _create_form(closes_on="2099-01-01"))
    assert leader.last.status_code == 422
    with app.test_request_context(), force_locale("nb"):
        expected = gettext("The closing date cannot be before the opening date.")
    assert expected in leader.html
    assert 'lang="nb"' in leader.html


def test_changing_the_schedule(app, leader):
    from survey.campaigns.models import Campaign
    from survey.extensions import db

    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}/rediger")
    leader.post(
        f"/kampanjer/{campaign}/rediger",
        {"opens_on": "2027-03-01", "closes_on": "2027-02-01", "language": "nb"},
    )
    assert leader.last.status_code == 422
    assert "The closing date cannot be before the opening date." in leader.html
    leader.post(
        f"/kampanjer/{campaign}/rediger",
        {
            "title": "Ny tittel",
            "opens_on": "2027-02-01",
            "closes_on": "2027-03-01",
            "reminders": "3 7 7",
            "language": "nn",
        },
    )
    assert leader.last.status_code == 302
    with app.app_context():
        row = db.session.get(Campaign, campaign)
        assert (row.title, row.opens_on, row.closes_on, row.reminder_days, row.language) == (
            "Ny tittel",
            dt.date(2027, 2, 1),
            dt.date(2027, 3, 1),
            [7, 3],
            "nn",
        )


# --- inviting from the roster -----------------------------------------------------------------


def test_the_preview_counts_people_and_how_they_are_reached(app, roster, leader):
    from survey.campaigns.models import Invitation

    campaign = _campaign(app)
    text = _text(leader.get(f"/kampanjer/{campaign}/inviter").get_data(as_text=True))
    assert "6 people chosen on the roster" in text
    assert "6 new: get an invitation now" in text
    assert "3 by e-mail" in text and "2 by SMS" in text and "1 by letter" in text
    assert "Send 6 invitations" in text
    token = leader.csrf()

    # Omsorg with its sub-units, part time only: Anne, Cecilie, Dag, Eva (not Bjørn, 100 %).
    leader.get(f"/kampanjer/{campaign}/inviter?enhet=omsorg&underenheter=1&deltid=1")
    text = _text(leader.html)
    assert "4 people chosen on the roster" in text
    assert "1 by e-mail" in text and "2 by SMS" in text and "1 by letter" in text
    assert re.search(r"Omsorg A 3 3 1 1 1", text), text
    assert re.search(r"Omsorg B 1 1 0 1 0", text), text
    assert "Hjemmetjenesten" not in text.split("Per unit")[1]

    # Omsorg alone has nobody; yrkesgruppe matches whatever its case.
    leader.get(f"/kampanjer/{campaign}/inviter?enhet=omsorg")
    assert "0 people chosen on the roster" in _text(leader.html)
    leader.get(f"/kampanjer/{campaign}/inviter?yrkesgruppe=Helsefagarbeider")
    assert "2 people chosen on the roster" in _text(leader.html)
    # An unknown unit is an error, never the whole roster.
    leader.get(f"/kampanjer/{campaign}/inviter?enhet=finnes_ikke")
    assert leader.last.status_code == 422
    assert "Choose a unit from the list." in leader.html
    assert "Send " not in _text(leader.html)
    form = {"enhet": "finnes_ikke", "deltid": "1", "csrf_token": token}
    leader.post(f"/kampanjer/{campaign}/inviter", form)
    assert leader.last.status_code == 302
    location = leader.last.headers["Location"]
    assert "enhet=finnes_ikke" in location and "csrf_token" not in location
    assert "Choose a unit from the list." in leader.get(location).get_data(as_text=True)
    assert _count(app, Invitation) == 0


def test_inviting_creates_invitations_and_outbox_rows_once(app, roster, leader):
    from survey.campaigns.models import Channel, Invitation
    from survey.extensions import db
    from survey.outbox.models import MessageKind, OutboxMessage

    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}/inviter?enhet=omsorg&underenheter=1")
    assert "Send 5 invitations" in _text(leader.html)
    leader.post(f"/kampanjer/{campaign}/inviter", {"enhet": "omsorg", "underenheter": "1"})
    assert leader.last.status_code == 302
    assert leader.last.headers["Location"].endswith(f"/kampanjer/{campaign}")
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "5 invitations created: 2 by e-mail, 2 by SMS, 1 letters to print." in text
    assert "5 people invited" in text

    with app.app_context():
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == campaign)
        ).all()
        assert sorted(i.person_id for i in invitations) == sorted(
            roster[n] for n in ("Anne", "Bjørn", "Cecilie", "Dag", "Eva")
        )
        assert {i.person_id: i.channel for i in invitations}[roster["Eva"]] is Channel.LETTER
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert sorted((m.channel.value, m.person_id) for m in messages) == sorted(
            [
                ("email", roster["Anne"]),
                ("email", roster["Bjørn"]),
                ("sms", roster["Cecilie"]),
                ("sms", roster["Dag"]),
            ]
        )
        assert {m.kind for m in messages} == {MessageKind.INVITATION}
        assert {m.campaign_id for m in messages} == {campaign}

    # The same POST again (a double click, a reload): nobody is invited twice.
    token = leader.csrf()
    leader.get(f"/kampanjer/{campaign}/inviter?enhet=omsorg&underenheter=1")
    assert "Nobody new to invite" in leader.html
    form = {"enhet": "omsorg", "underenheter": "1", "csrf_token": token}
    leader.post(f"/kampanjer/{campaign}/inviter", form)
    assert leader.last.status_code == 302
    assert _count(app, Invitation) == 5
    assert _count(app, OutboxMessage) == 4
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "Nobody new to invite" in text and "5 were invited before." in text

    # The whole roster adds Frode only.
    leader.post(f"/kampanjer/{campaign}/inviter", {"csrf_token": token})
    assert _count(app, Invitation) == 6
    assert _count(app, OutboxMessage) == 5


def test_a_closed_campaign_invites_nobody(app, roster, leader):
    from survey.campaigns.models import Invitation

    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}")
    leader.post(f"/kampanjer/{campaign}/status", {"action": "close"})
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "The survey is closed." in text
    assert "Choose whom to invite" not in text
    token = leader.csrf()
    leader.get(f"/kampanjer/{campaign}/inviter")
    assert "Send 6 invitations" not in _text(leader.html)
    leader.post(f"/kampanjer/{campaign}/inviter", {"csrf_token": token})
    assert _count(app, Invitation) == 0
    leader.get(f"/kampanjer/{campaign}")
    leader.post(f"/kampanjer/{campaign}/status", {"action": "open"})
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "The survey is open for answers again." in text and "Open for answers" in text


# --- texts, letters, reminders, delivery ------------------------------------------------------


def test_texts_are_validated_previewed_and_saved(app, leader):
    from survey.campaigns.models import Campaign
    from survey.extensions import db

    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}/tekster?sprak=nb")
    assert leader.last.status_code == 200
    assert re.search(r"\d+ of 160 characters", leader.html)
    with app.app_context():
        from survey.campaigns import messaging
        from survey.campaigns.services import campaign_by_id

        values = dict(messaging.texts_for(campaign_by_id(campaign), "nb"))
    assert "{link}" in values["invitation_body"]

    # Without {link} the invitation is refused, and nothing is saved.
    broken = {**values, "invitation_body": "Hei {name}, svar på undersøkelsen."}
    leader.post(f"/kampanjer/{campaign}/tekster?sprak=nb", {**broken, "action": "save"})
    assert leader.last.status_code == 422
    assert "Nothing was saved." in leader.html
    assert 'href="#invitation_body"' in leader.html  # the summary leads to the text
    with app.app_context():
        assert db.session.get(Campaign, campaign).texts.get("nb", {}) == {}

    # A preview shows the change without saving it.
    changed = {**values, "invitation_sms": "Svar her: {link}"}
    leader.post(f"/kampanjer/{campaign}/tekster?sprak=nb", {**changed, "action": "preview"})
    assert leader.last.status_code == 200
    assert "Preview of your changes (not saved)" in leader.html
    assert "Svar her: " in leader.html
    with app.app_context():
        assert db.session.get(Campaign, campaign).texts.get("nb", {}) == {}

    leader.post(f"/kampanjer/{campaign}/tekster?sprak=nb", {**changed, "action": "save"})
    assert leader.last.status_code == 302
    with app.app_context():
        saved = db.session.get(Campaign, campaign).texts["nb"]
        assert saved["invitation_sms"] == "Svar her: {link}"
    assert "The texts are saved." in leader.get(f"/kampanjer/{campaign}/tekster?sprak=nb").get_data(
        as_text=True
    )
    assert leader.get(f"/kampanjer/{campaign}/tekster?sprak=de").status_code == 404


def test_letters_pdf_for_those_without_email_or_mobile_and_for_everyone(app, roster, leader):
    from survey.audit.models import AuditEntry

    campaign = _campaign(app)
    leader.get(f"/kampanjer/{campaign}/inviter")
    leader.post(f"/kampanjer/{campaign}/inviter", {})
    for query in ("", "?alle=1"):
        response = leader.client.get(f"/kampanjer/{campaign}/brev.pdf{query}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert "attachment" in response.headers["Content-Disposition"]
    assert _count(app, AuditEntry, AuditEntry.object_type == "campaign_letters") == 2


def test_remind_now_queues_reminders_for_those_who_have_not_answered(app, roster, leader):
    from survey.extensions import db
    from survey.outbox.models import MessageKind, OutboxMessage

    campaign = _campaign(
        app,
        opens_on=dt.date.today() - dt.timedelta(days=3),
        closes_on=dt.date.today() + dt.timedelta(days=10),
        reminder_days=[7, 3],
    )
    leader.get(f"/kampanjer/{campaign}/inviter")
    leader.post(f"/kampanjer/{campaign}/inviter", {})
    leader.get(f"/kampanjer/{campaign}")
    leader.post(f"/kampanjer/{campaign}/paminnelse", {})
    assert leader.last.status_code == 302
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "5 reminders queued: 3 by e-mail, 2 by SMS." in text
    with app.app_context():
        reminders = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REMINDER)
        ).all()
        assert len(reminders) == 5
    # Not twice the same day.
    leader.post(f"/kampanjer/{campaign}/paminnelse", {})
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "Nobody to remind" in text
    assert _count(app, OutboxMessage, OutboxMessage.kind == MessageKind.REMINDER) == 5


def test_delivery_failures_are_shown_and_can_be_retried(app, roster, leader):
    from survey.campaigns.models import Channel
    from survey.db import unit_of_work
    from survey.extensions import db
    from survey.outbox.models import MessageKind, OutboxMessage, OutboxStatus

    campaign = _campaign(app)
    other = _campaign(app)
    with app.app_context(), unit_of_work():
        rows = [
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient="anne@kommune.no",
                person_id=roster["Anne"],
                campaign_id=campaign,
                kind=MessageKind.INVITATION,
                body="x",
                status=OutboxStatus.FAILED,
                attempts=1,
                last_error="550 5.1.1 mailbox unavailable",
            ),
            OutboxMessage(
                channel=Channel.SMS,
                recipient="+4791000003",
                person_id=roster["Cecilie"],
                campaign_id=campaign,
                kind=MessageKind.REMINDER,
                body="x",
                status=OutboxStatus.PENDING,
                attempts=2,
                last_error="HTTP 500 from the SMS gateway",
            ),
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient="frode@kommune.no",
                person_id=roster["Frode"],
                campaign_id=other,
                kind=MessageKind.INVITATION,
                body="x",
                status=OutboxStatus.FAILED,
            ),
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient="bjorn@kommune.no",
                person_id=roster["Bjørn"],
                campaign_id=campaign,
                kind=MessageKind.INVITATION,
                status=OutboxStatus.SENT,
            ),
        ]
        db.session.add_all(rows)
        db.session.flush()
        failed, retrying, elsewhere = rows[0].id, rows[1].id, rows[2].id

    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert "1 message sent" in text and "1 message could not be delivered" in text
    assert "1 waiting to be sent (1 of them after a failed attempt)" in text
    text = _text(leader.get(f"/kampanjer/{campaign}/utsendelse").get_data(as_text=True))
    assert "Anne Epost" in text and "550 5.1.1 mailbox unavailable" in text
    assert "Cecilie Mobil" in text and "HTTP 500 from the SMS gateway" in text
    assert "Will be tried again" in text and "Not delivered" in text
    assert "Frode" not in text
    assert text.count("Try again") == 1  # only the failed one

    # A message of another campaign is not retried through this one.
    assert (
        leader.post(f"/kampanjer/{campaign}/utsendelse/{elsewhere}/prov-igjen").status_code == 404
    )
    leader.get(f"/kampanjer/{campaign}/utsendelse")
    leader.post(f"/kampanjer/{campaign}/utsendelse/{failed}/prov-igjen")
    assert leader.last.status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, failed).status is OutboxStatus.PENDING
        assert db.session.get(OutboxMessage, elsewhere).status is OutboxStatus.FAILED
    del retrying


def test_posts_need_the_csrf_token(app, roster, leader):
    from survey.campaigns.models import Invitation

    campaign = _campaign(app)
    response = leader.post(f"/kampanjer/{campaign}/inviter", {}, with_csrf=False)
    assert response.status_code == 400
    assert _count(app, Invitation) == 0


def test_an_anonymous_campaign_shows_its_open_link_and_answers(app, leader):
    from survey.campaigns.models import Campaign
    from survey.extensions import db

    campaign = _campaign(app, mode="anonymous")
    with app.app_context():
        slug = db.session.get(Campaign, campaign).slug
    text = _text(leader.get(f"/kampanjer/{campaign}").get_data(as_text=True))
    assert f"http://localhost:5000/s/{slug}" in text
    assert "0 answers received in all, open link included" in text
    identified = _campaign(app)
    text = _text(leader.get(f"/kampanjer/{identified}").get_data(as_text=True))
    assert "/s/" not in text and "open link included" not in text


def test_the_pages_get_plain_data(app, roster, leader):
    """Templates get dicts, lists, strings, numbers and dates, never a database row."""
    from flask import template_rendered

    from tests.web.test_templates_get_plain_data import _rows_in

    seen: list[tuple[str, dict]] = []

    def remember(sender, template, context, **extra):
        seen.append((template.name, dict(context)))

    campaign = _campaign(app)
    template_rendered.connect(remember, app)
    try:
        leader.get(f"/kampanjer/{campaign}/inviter")
        leader.post(f"/kampanjer/{campaign}/inviter", {})
        pages = ["/kampanjer/", "/kampanjer/ny"] + [
            f"/kampanjer/{campaign}{page}"
            for page in ("", "/rediger", "/inviter", "/tekster", "/utsendelse")
        ]
        for path in pages:
            assert leader.get(path).status_code == 200, path
    finally:
        template_rendered.disconnect(remember, app)
    names = {name for name, _context in seen}
    assert {"campaigns/index.html", "campaigns/detail.html", "campaigns/invite.html"} <= names
    rows = [
        (name, found)
        for name, context in seen
        for key, value in context.items()
        if key not in ("g", "request", "session", "current_user", "config")
        for found in _rows_in(value, key)
    ]
    assert rows == []
