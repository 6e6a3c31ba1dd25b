"""The mapping conversation in the web app, the employee's own updates, the «Endringer» inbox,
conflicts between two edits, the re-confirmation list, the classification on the record and
the living-document export."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from survey.accounts.models import Person, Unit
from survey.audit.models import AuditEntry
from survey.conversations.models import Draft
from survey.extensions import db
from survey.living.models import Confirmation, Handled, LivingDocument, Revision, Source
from survey.roster.models import Ansettelsesform, Position
from tests.conftest import CSRF_RE, login_as, make_person
from tests.conftest import Respondent as _Respondent


class Respondent(_Respondent):
    """A browser whose CSRF token (one per session) is remembered across redirects."""

    token: str | None = None

    def csrf(self) -> str:
        match = CSRF_RE.search(self.html) if self.last is not None else None
        if match:
            self.token = match.group(1)
        if self.token is None:
            self.get("/meg/")
            self.token = CSRF_RE.search(self.html).group(1)
        return self.token


# One answer for every question the guide may ask; each page reads its own.
ANSWERS = {
    "enhet": "omsorgssenter_a",
    "yrkesgruppe": "helsefagarbeider",
    "ansettelsesform": "fast",
    "leder": "no",
    "stillingsprosent": "50",
    "flere_stillinger": "no",
    "vakter_na": ["dag", "kveld"],
    "fornoyd_storrelse": "no",
    "fornoyd_turnus": "yes",
    "onsket_endring": "storre",
    "onsket_prosent": "80",
    "onsket_fast": "yes",
    "villig_helger": "hver_3",
    "villig_langvakter": "yes",
    "langvakt_hyppighet": "hver_4",
    "villig_andre_enheter": "kombijobbing",
    "andre_vakter": ["dag"],
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "no",
    "interesse_arsturnus": "yes",
    "interesse_onsketurnus": "no",
    "oppstart_uker": "4",
    "venter_barnehageplass": "no",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "yes",
    "kvalifisert": "yes",
    "arsaker_deltid": ["ikke_tilbudt"],
    "notater": "Vil gjerne jobbe mer i helgene.",
    "avtalte_tiltak": "Tilbys 30 % ledig stilling.",
}


def _path(response) -> str:
    return response.headers["Location"]


def walk(browser: Respondent, start_url: str, answers: dict, changes: dict | None = None) -> str:
    """Start (or resume) the guide at `start_url` and post `answers` to every page until the
    review page; returns the review page's address."""
    answers = {**answers, **(changes or {})}
    response = browser.post(start_url, {})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = _path(response)
    for _step in range(20):
        if location.endswith("/oppsummering"):
            return location
        page = browser.get(location)
        assert page.status_code == 200, location
        html = page.get_data(as_text=True)
        shown = re.search(r'name="shown" value="([^"]*)"', html)[1]
        form = {name: value for name, value in answers.items() if name in shown.split()}
        form["shown"] = shown
        form["action"] = "next"
        response = browser.post(location, form)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = _path(response).split("#")[0]
    raise AssertionError("the guide never reached the review page")


@pytest.fixture
def people(app):
    project_leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    unit_leader = make_person(app, "enhetsleder", unit="omsorg_a", name="Lise Leder")
    employee = make_person(app, unit="omsorg_a", name="Eva Ansatt")
    other = make_person(app, unit="hjemme", name="Olav Annen")
    with app.app_context():
        person = db.session.get(Person, employee)
        unit = db.session.scalars(select(Unit).where(Unit.code == "omsorg_a")).one()
        db.session.add_all(
            [
                Position(
                    person_id=person.id,
                    unit_id=unit.id,
                    yrkesgruppe="helsefagarbeider",
                    stillingsprosent=Decimal("40"),
                    ansettelsesform=Ansettelsesform.FAST,
                ),
                Position(
                    person_id=person.id,
                    unit_id=unit.id,
                    yrkesgruppe="helsefagarbeider",
                    stillingsprosent=Decimal("12.5"),
                    ansettelsesform=Ansettelsesform.FAST,
                ),
            ]
        )
        db.session.commit()
    return project_leader, unit_leader, employee, other


def _revisions(app, person_id):
    with app.app_context():
        return db.session.scalars(
            select(Revision)
            .join(LivingDocument)
            .where(LivingDocument.person_id == person_id)
            .order_by(Revision.number)
        ).all()


def _hold_conversation(app, client, project_leader, employee, changes=None):
    login_as(client, app, project_leader)
    browser = Respondent(client)
    browser.get(f"/samtaler/{employee}")
    review = walk(browser, f"/samtaler/{employee}", ANSWERS, changes)
    return browser, review


def test_the_guide_starts_from_the_roster(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    login_as(client, app, project_leader)
    browser = Respondent(client)
    browser.get(f"/samtaler/{employee}")
    response = browser.post(f"/samtaler/{employee}", {})
    first = browser.get(_path(response)).get_data(as_text=True)
    assert 'value="helsefagarbeider" checked' in first
    assert 'value="fast" checked' in first
    second = browser.post(
        _path(response),
        {
            "shown": re.search(r'name="shown" value="([^"]*)"', first)[1],
            "enhet": "omsorgssenter_a",
            "yrkesgruppe": "helsefagarbeider",
            "ansettelsesform": "fast",
            "leder": "no",
        },
    )
    page = browser.get(_path(second)).get_data(as_text=True)
    assert 'value="52,5"' in page  # 40 % + 12,5 % from the roster


def test_a_conversation_becomes_a_revision(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, review = _hold_conversation(app, client, project_leader, employee)
    page = browser.get(review).get_data(as_text=True)
    assert "Tilbys 30 % ledig stilling." in page
    response = browser.post(f"/samtaler/{employee}/lagre", {})
    assert response.status_code == 302
    assert _path(response).endswith(f"/personer/{employee}")
    [revision] = _revisions(app, employee)
    assert revision.source is Source.CONVERSATION
    assert revision.author_id == project_leader
    assert revision.author_role == "prosjektleder"
    assert revision.questionnaire_id == "kartleggingssamtale"
    assert revision.data["stillingsprosent"] == 50
    assert revision.data["onsket_prosent"] == 80
    assert revision.data["vakter_na"] == ["dag", "kveld"]
    with app.app_context():
        assert db.session.scalars(select(Draft)).all() == []
        changes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change")).all()
        assert [(e.subject_id, e.detail["revision"]) for e in changes] == [(employee, 1)]
    # A second click on «save» saves nothing more.
    again = browser.post(f"/samtaler/{employee}/lagre", {})
    assert again.status_code == 302
    assert len(_revisions(app, employee)) == 1
    # The record page says it in plain words.
    detail = browser.get(f"/personer/{employee}").get_data(as_text=True)
    assert "Ufrivillig deltid" in detail


def test_the_next_conversation_is_prefilled_from_the_record(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})
    response = browser.post(f"/samtaler/{employee}", {})
    browser.get(_path(response))
    page = browser.get(f"/samtaler/{employee}/side/stillingsstorrelse").get_data(as_text=True)
    assert 'value="50"' in page
    # Going straight to the review and saving unchanged makes revision 2 with no changes.
    browser.post(f"/samtaler/{employee}/lagre", {})
    revisions = _revisions(app, employee)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].changed_fields == []


def test_the_employee_updates_their_wishes_and_it_lands_in_the_inbox(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})

    login_as(client, app, employee)
    phone = Respondent(client)
    assert "/meg/onsker/" in phone.get("/meg/").get_data(as_text=True)
    phone.get("/meg/onsker/")
    walk(phone, "/meg/onsker/", ANSWERS, {"onsket_prosent": "100"})
    response = phone.post("/meg/onsker/lagre", {})
    assert _path(response).endswith("/meg/")
    revisions = _revisions(app, employee)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].source is Source.EMPLOYEE
    assert revisions[1].author_role == "ansatt"
    assert revisions[1].changed_fields == ["onsket_prosent"]
    assert revisions[1].data["notater"] == ANSWERS["notater"]  # the leader's fields are kept
    # The employee's flow never shows the leader's pages.
    assert phone.get("/meg/onsker/side/vurdering").status_code == 302

    login_as(client, app, project_leader)
    staff = Respondent(client)
    inbox = staff.get("/levende/endringer").get_data(as_text=True)
    assert "Eva Ansatt" in inbox and "Hvor stor stilling ønsker hen?" in inbox
    with app.app_context():
        revision_id = revisions[1].id
    response = staff.post(f"/levende/endringer/revision/{revision_id}", {})
    assert response.status_code == 302
    staff.post(f"/levende/endringer/revision/{revision_id}", {})  # a double click
    with app.app_context():
        assert len(db.session.scalars(select(Handled)).all()) == 1
    assert "Eva Ansatt" not in staff.get("/levende/endringer").get_data(as_text=True)
    assert "Eva Ansatt" in staff.get("/levende/endringer?alle=1").get_data(as_text=True)
    history = staff.get(f"/personer/{employee}/historikk").get_data(as_text=True)
    assert "Før:</span> 80 %" in history and "Nå:</span> 100 %" in history


def test_a_correction_request_lands_in_the_inbox(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})
    login_as(client, app, employee)
    phone = Respondent(client)
    phone.get("/meg/")
    phone.post("/meg/korriger", {"revision": "1", "comment": "Jeg har 60 %, ikke 50 %."})
    login_as(client, app, project_leader)
    staff = Respondent(client)
    inbox = staff.get("/levende/endringer").get_data(as_text=True)
    assert "Jeg har 60 %, ikke 50 %." in inbox
    with app.app_context():
        [confirmation] = db.session.scalars(select(Confirmation)).all()
    staff.post(f"/levende/endringer/correction/{confirmation.id}", {})
    assert "Jeg har 60 %" not in staff.get("/levende/endringer").get_data(as_text=True)


def test_two_edits_of_one_record_give_a_conflict_and_keep_both(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})
    # The project leader starts the next conversation and changes the wish to 90 % …
    walk(browser, f"/samtaler/{employee}", ANSWERS, {"onsket_prosent": "90"})
    # … while the employee, on their phone, saves 100 %.
    from flask.testing import FlaskClient

    phone_client: FlaskClient = app.test_client()
    login_as(phone_client, app, employee)
    phone = Respondent(phone_client)
    phone.get("/meg/onsker/")
    walk(phone, "/meg/onsker/", ANSWERS, {"onsket_prosent": "100"})
    phone.post("/meg/onsker/lagre", {})
    assert [r.number for r in _revisions(app, employee)] == [1, 2]

    response = browser.post(f"/samtaler/{employee}/lagre", {})
    assert _path(response).endswith(f"/samtaler/{employee}/konflikt")
    conflict = browser.get(f"/samtaler/{employee}/konflikt")
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "100 %" in html and "90 %" in html
    assert [r.number for r in _revisions(app, employee)] == [1, 2]  # nothing overwritten
    # A stale choice (another save since the page was shown) is refused.
    refused = browser.post(f"/samtaler/{employee}/konflikt", {"choice": "mine", "current": "1"})
    assert _path(refused).endswith("/konflikt")
    browser.post(f"/samtaler/{employee}/konflikt", {"choice": "mine", "current": "2"})
    revisions = _revisions(app, employee)
    assert [(r.number, r.data["onsket_prosent"]) for r in revisions] == [
        (1, 80),
        (2, 100),
        (3, 90),
    ]


def test_discarding_after_a_conflict_keeps_the_saved_version(app, client, people):
    project_leader, _unit_leader, employee, _other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})
    walk(browser, f"/samtaler/{employee}", ANSWERS, {"onsket_prosent": "90"})
    with app.app_context():
        from survey.living import services

        document = services.document_for(db.session.get(Person, employee))
        services.save_revision(
            document,
            {**_revisions(app, employee)[0].data, "onsket_prosent": 70},
            base=1,
            author=None,
            author_role="ansatt",
            source=Source.EMPLOYEE,
        )
        db.session.commit()
    browser.post(f"/samtaler/{employee}/lagre", {})
    browser.post(f"/samtaler/{employee}/konflikt", {"choice": "theirs", "current": "2"})
    assert [r.data["onsket_prosent"] for r in _revisions(app, employee)] == [80, 70]
    with app.app_context():
        assert db.session.scalars(select(Draft)).all() == []


def test_who_may_hold_conversations(app, client, people):
    _project_leader, unit_leader, employee, other = people
    login_as(client, app, unit_leader)
    assert client.get(f"/samtaler/{employee}").status_code == 403
    assert client.get("/levende/endringer").status_code == 403
    assert client.get("/levende/eksport").status_code == 403
    login_as(client, app, employee)
    assert client.get(f"/samtaler/{employee}").status_code == 403
    assert client.get(f"/samtaler/{other}").status_code == 403


def test_reconfirmation_list_and_unit_scope(app, client, people):
    project_leader, unit_leader, employee, other = people
    _browser, _review = _hold_conversation(app, client, project_leader, employee)
    _browser.post(f"/samtaler/{employee}/lagre", {})
    walk(_browser, f"/samtaler/{other}", ANSWERS)
    _browser.post(f"/samtaler/{other}/lagre", {})
    page = _browser.get("/levende/bekreftelser").get_data(as_text=True)
    assert "Eva Ansatt" in page and "Olav Annen" in page
    login_as(client, app, unit_leader)
    page = client.get("/levende/bekreftelser").get_data(as_text=True)
    assert "Eva Ansatt" in page and "Olav Annen" not in page
    # Confirmed documents leave the list.
    login_as(client, app, employee)
    phone = Respondent(client)
    phone.get("/meg/")
    phone.post("/meg/bekreft", {"revision": "1"})
    login_as(client, app, project_leader)
    page = client.get("/levende/bekreftelser").get_data(as_text=True)
    assert "Eva Ansatt" not in page and "Olav Annen" in page


def test_definitions_side_by_side_and_export(app, client, people):
    project_leader, unit_leader, employee, other = people
    browser, _review = _hold_conversation(app, client, project_leader, employee)
    browser.post(f"/samtaler/{employee}/lagre", {})
    walk(browser, f"/samtaler/{other}", ANSWERS, {"onsket_endring": "samme"})
    browser.post(f"/samtaler/{other}/lagre", {})
    page = browser.get("/klassifisering/").get_data(as_text=True)
    for name in ("Drammen", "Surnadal", "Hamar", "SSB", "Songdalen", "Selvrapportert"):
        assert name in page
    assert "Eva Ansatt" in page and "Olav Annen" in page
    assert "N = 2" in page
    login_as(client, app, unit_leader)
    page = client.get("/klassifisering/").get_data(as_text=True)
    assert "Eva Ansatt" in page and "Olav Annen" not in page

    login_as(client, app, project_leader)
    response = client.get("/levende/eksport?format=csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].startswith("\ufeffansattnummer;navn;registrert_enhet")
    assert "Eva Ansatt" in text and "Olav Annen" in text
    assert client.get("/levende/eksport?format=xlsx").data[:2] == b"PK"
    with app.app_context():
        exports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [e.detail["format"] for e in exports] == ["csv", "xlsx"]


def test_two_saves_at_the_same_moment_one_wins_the_other_sees_the_conflict(app, people):
    """Two people press «save» at once on the same base: the database's unique revision
    number lets one through; the other gets the conflict page and keeps their draft."""
    import threading

    project_leader, _unit_leader, employee, _other = people
    leader_client, phone_client = app.test_client(), app.test_client()
    login_as(leader_client, app, project_leader)
    leader = Respondent(leader_client)
    leader.get(f"/samtaler/{employee}")
    walk(leader, f"/samtaler/{employee}", ANSWERS)
    leader.post(f"/samtaler/{employee}/lagre", {})
    walk(leader, f"/samtaler/{employee}", ANSWERS, {"onsket_prosent": "90"})
    login_as(phone_client, app, employee)
    phone = Respondent(phone_client)
    phone.get("/meg/onsker/")
    walk(phone, "/meg/onsker/", ANSWERS, {"onsket_prosent": "100"})
    leader.csrf(), phone.csrf()

    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def save(name: str, browser: Respondent, url: str) -> None:
        barrier.wait()
        response = browser.client.post(url, data={"csrf_token": browser.token})
        results[name] = response.headers["Location"]

    threads = [
        threading.Thread(target=save, args=("leader", leader, f"/samtaler/{employee}/lagre")),
        threading.Thread(target=save, args=("employee", phone, "/meg/onsker/lagre")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    revisions = _revisions(app, employee)
    assert [r.number for r in revisions] == [1, 2]
    conflicts = [name for name, location in results.items() if location.endswith("/konflikt")]
    assert len(conflicts) == 1, results
    winner_value = revisions[1].data["onsket_prosent"]
    assert winner_value == (100 if conflicts == ["leader"] else 90)
    with app.app_context():
        [draft] = db.session.scalars(select(Draft)).all()  # the loser's version survives
        assert draft.answers["onsket_prosent"] == (90 if conflicts == ["leader"] else 100)
