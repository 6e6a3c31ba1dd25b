"""Who is on the follow-up list, the filters, the status, and who may see it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.extensions import db
from survey.followup import services
from survey.followup.models import FollowUp, FollowUpStatus
from tests.conftest import login_as, make_person
from tests.followup.conftest import PEOPLE


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_who_is_on_the_list(app, town):
    with app.app_context():
        entries = {entry.name: entry for entry in services.entries()}
    # David is satisfied, Eva left the roster, Frode holds no position.
    assert set(entries) == {"Anna", "Bjørn", "Cecilie"}
    assert entries["Anna"].reasons == (services.WANTS_MORE,)
    assert entries["Bjørn"].reasons == (services.ASKED_FOR_CONVERSATION,)
    assert (entries["Anna"].current, entries["Anna"].wanted) == (50, 80)
    assert entries["Anna"].yrkesgruppe == "helsefagarbeider"
    assert entries["Anna"].unit_name == "Omsorg A"
    assert entries["Anna"].last_confirmed is not None
    assert entries["Cecilie"].last_confirmed is None
    assert [entries[n].channel and entries[n].channel.value for n in ("Anna", "Bjørn")] == [
        "email",
        "sms",
    ]
    assert entries["Cecilie"].channel is None
    assert all(entry.status is FollowUpStatus.NOT_CONTACTED for entry in entries.values())
    with app.app_context():
        assert services.open_count() == 3

        from survey.accounts.services import find_unit

        assert services.open_count({find_unit("hjemme").id}) == 1
        assert services.open_count(set()) == 0


def test_without_an_sms_service_a_mobile_number_is_no_channel(app, town):
    """One rule for every message (outbox.services.channel_for): SMS only when it is set up."""
    app.config["SMS_PROVIDER"] = None
    with app.app_context():
        entries = {entry.name: entry for entry in services.entries()}
    assert entries["Anna"].channel.value == "email"
    assert entries["Bjørn"].channel is None


def test_a_yes_stored_as_true_also_counts(app):
    assert services.reasons_on_list({"onsker_samtale": True}) == (services.ASKED_FOR_CONVERSATION,)
    assert services.reasons_on_list({"onsker_samtale": "no"}) == ()
    with app.app_context():
        assert services.reasons_on_list({"onsket_endring": "samme"}) == ()


def test_the_page_lists_them_as_cards_with_n(app, client, town, leader):
    _english(client)
    login_as(client, app, leader)
    response = client.get("/oppfolging/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("Anna", "Bjørn", "Cecilie"):
        assert f"/oppfolging/{town[name]}" in page
    for name in ("David", "Eva", "Frode"):
        assert name not in page
    assert "N = 3 people" in page
    assert "Wants a larger position" in page and "Asked for a conversation" in page
    assert "50 % → wants 80 %" in page
    assert "Not contacted" in page
    assert 'class="plain-list followup-list"' in page  # cards, not a wide table
    assert "<table" not in page


def test_filters(app, client, town, leader):
    _english(client)
    login_as(client, app, leader)
    with app.app_context():
        from survey.accounts.services import find_unit

        helse, hjemme = find_unit("helse").id, find_unit("hjemme").id
    # A unit with its sub-units.
    page = client.get(f"/oppfolging/?enhet={helse}").get_data(as_text=True)
    assert "Anna" in page and "Bjørn" in page and "Cecilie" not in page
    assert "N = 2 of 3 people" in page
    page = client.get(f"/oppfolging/?enhet={hjemme}").get_data(as_text=True)
    assert "Cecilie" in page and "Anna" not in page
    page = client.get("/oppfolging/?yrkesgruppe=sykepleier").get_data(as_text=True)
    assert "Bjørn" in page and "Anna" not in page and "Cecilie" not in page
    # An unknown value is no filter.
    page = client.get("/oppfolging/?yrkesgruppe=pilot&enhet=999999").get_data(as_text=True)
    assert "N = 3 people" in page
    client.post(
        f"/oppfolging/{town['Anna']}/status",
        data={"status": "held", "csrf_token": _csrf(client, f"/oppfolging/{town['Anna']}")},
    )
    page = client.get("/oppfolging/?status=held").get_data(as_text=True)
    assert "Anna" in page and "Bjørn" not in page
    page = client.get("/oppfolging/?status=open").get_data(as_text=True)
    assert "Anna" not in page and "Bjørn" in page and "Cecilie" in page


def _csrf(client, url):
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_status_changes_are_saved_and_audited(app, client, town, leader):
    _english(client)
    login_as(client, app, leader)
    anna = town["Anna"]
    token = _csrf(client, f"/oppfolging/{anna}")
    response = client.post(
        f"/oppfolging/{anna}/status", data={"status": "not_relevant", "csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.person_id == anna)).one()
        assert follow_up.status is FollowUpStatus.NOT_RELEVANT
        assert follow_up.updated_by == leader
        changes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change")).all()
        assert [(e.subject_id, e.object_type, e.detail) for e in changes] == [
            (anna, "follow_up", {"status": "not_relevant"})
        ]
    page = client.get("/oppfolging/").get_data(as_text=True)
    assert "No longer relevant" in page
    # «Booked» is not a status one sets by hand: it needs a date.
    response = client.post(
        f"/oppfolging/{anna}/status", data={"status": "booked", "csrf_token": token}
    )
    assert response.status_code == 400
    # Back to «not contacted».
    client.post(f"/oppfolging/{anna}/status", data={"status": "not_contacted", "csrf_token": token})
    with app.app_context():
        assert services.open_count() == 3


def test_reading_the_list_is_audited_per_person(app, client, town, leader):
    login_as(client, app, leader)
    client.get("/oppfolging/")
    with app.app_context():
        reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
        assert sorted(e.subject_id for e in reads) == sorted(
            town[n] for n in ("Anna", "Bjørn", "Cecilie")
        )
        assert {e.actor_id for e in reads} == {leader}
        assert {e.object_type for e in reads} == {"follow_up_list"}


def test_who_may_see_it(app, client, town):
    employee = make_person(app, name="Vanlig Ansatt")
    unit_leader = make_person(app, "enhetsleder", unit="omsorg_a", name="Lise Leder")
    admin = make_person(app, "admin", name="Hanne HR")
    project_leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    anna = town["Anna"]
    urls = ["/oppfolging/", f"/oppfolging/{anna}", "/oppfolging/bekreftelser"]
    for person in (employee, unit_leader):
        login_as(client, app, person)
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.post(f"/oppfolging/{anna}/status", data={"status": "held"}).status_code in (
            400,
            403,
        )
        page = client.get("/meg/").get_data(as_text=True)
        assert "/oppfolging/" not in page  # not in the menu
    for person in (admin, project_leader):
        login_as(client, app, person)
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert 'href="/oppfolging/"' in client.get("/meg/").get_data(as_text=True)
    assert client.get("/oppfolging/999999").status_code == 404


def test_everyone_in_the_fixture_is_described(town):
    assert set(town) == set(PEOPLE)


def test_the_pages_get_plain_data_and_a_booking_reaches_the_sender(app, client, town, leader):
    """No database row in the templates' context; booking calls the real flush_soon (no mail
    server is configured in the tests, so it sends nothing and the message waits)."""
    from flask import template_rendered

    from survey.models import Base
    from survey.outbox.models import OutboxMessage, OutboxStatus

    seen = []

    def remember(sender, template, context, **extra):
        seen.append((template.name, dict(context)))

    def rows(value):
        if isinstance(value, Base):
            yield type(value).__name__
        elif isinstance(value, dict):
            for item in value.values():
                yield from rows(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                yield from rows(item)

    template_rendered.connect(remember, app)
    try:
        login_as(client, app, leader)
        client.get("/oppfolging/")
        client.get(f"/oppfolging/{town['Anna']}")
        client.get("/oppfolging/bekreftelser")
        day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        response = client.post(
            f"/oppfolging/{town['Anna']}/samtale",
            data={
                "csrf_token": _csrf(client, f"/oppfolging/{town['Anna']}"),
                "day": day,
                "time": "09:15",
                "minutes": "60",
                "place": "Kontoret",
            },
        )
        assert response.status_code == 302
    finally:
        template_rendered.disconnect(remember, app)
    names = {name for name, _context in seen}
    assert {"followup/index.html", "followup/person.html", "followup/reconfirmation.html"} <= (
        names
    )
    found = [(name, kind) for name, context in seen for kind in rows(context)]
    assert found == []
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.status is OutboxStatus.PENDING


def test_new_answers_after_a_held_conversation_open_it_again(app, client, town, leader):
    from survey.accounts.models import Person
    from survey.living import services as living
    from survey.living.models import Source

    _english(client)
    login_as(client, app, leader)
    bjorn = town["Bjørn"]
    client.post(
        f"/oppfolging/{bjorn}/status",
        data={"status": "held", "csrf_token": _csrf(client, f"/oppfolging/{bjorn}")},
    )
    with app.app_context():
        assert services.open_count() == 2
    # A year later Bjørn asks again in the annual survey.
    with app.app_context():
        person = db.session.get(Person, bjorn)
        document = living.document_for(person)
        current = living.current_revision(document)
        living.save_revision(
            document,
            {**current.data, "onsket_endring": "storre", "onsket_prosent": 80},
            base=current.number,
            author=person,
            author_role="ansatt",
            source=Source.CAMPAIGN,
        )
        db.session.commit()
    with app.app_context():
        [entry] = [e for e in services.entries() if e.person_id == bjorn]
        assert entry.status is FollowUpStatus.HELD and entry.changed_since and entry.open
        assert services.open_count() == 3
    page = client.get("/oppfolging/?status=open").get_data(as_text=True)
    assert "Bjørn" in page and "New answers since the status was set" in page
    # Marking it again closes it.
    client.post(
        f"/oppfolging/{bjorn}/status",
        data={"status": "held", "csrf_token": _csrf(client, f"/oppfolging/{bjorn}")},
    )
    with app.app_context():
        assert services.open_count() == 2
