"""The year at a glance: the front page of project leaders (and unit leaders, for their
units), each figure from the feature that owns it, with its N, its link, and small groups
hidden as the reports hide them.

Units: Helse › Omsorg A, Omsorg B.

    Omsorg A  6 on the roster, 50 % wanting 80 % (a living document each); 5 of them had the
              same record on 31 December last year; 5 confirmed 30 days ago; one follow-up
              held (so 5 open); one of them also changed their wishes themselves (inbox)
              and one asked for a correction (inbox)
    Omsorg B  5 on the roster at 100 %, keeping it; one confirmed 400 days ago; one more
              person on the roster without a living document; one who left the roster
    Vacancies: one open in Omsorg A, one closed. Surveys: one taking answers (3 invited in
    Omsorg A, 1 submitted), one ended yesterday.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import url_for

from tests.conftest import login_as, make_person

TODAY = dt.date.today()
WANTS_MORE = {
    "yrkesgruppe": "helsefagarbeider",
    "ansettelsesform": "fast",
    "stillingsprosent": 50,
    "onsket_endring": "storre",
    "onsket_prosent": 80,
    "fornoyd_storrelse": "no",
}
KEEPS = {
    "yrkesgruppe": "sykepleier",
    "ansettelsesform": "fast",
    "stillingsprosent": 100,
    "onsket_endring": "samme",
    "fornoyd_storrelse": "yes",
}


def build(app) -> dict[str, int]:
    from survey.accounts import services as accounts
    from survey.accounts.models import Unit
    from survey.campaigns.models import Campaign, Invitation, Mode
    from survey.committee.models import CaseStatus, Vacancy
    from survey.extensions import db
    from survey.followup.models import FollowUp, FollowUpStatus
    from survey.living import services as living
    from survey.living.models import ConfirmationKind, Source
    from survey.roster.models import Ansettelsesform, Position

    ids: dict[str, int] = {}
    with app.app_context():
        helse = Unit(code="helse", name="Helse")
        db.session.add(helse)
        db.session.flush()
        units = {
            code: Unit(code=code, name=name, parent_id=helse.id)
            for code, name in (("omsorg_a", "Omsorg A"), ("omsorg_b", "Omsorg B"))
        }
        db.session.add_all(units.values())
        db.session.flush()

        def person(name, unit, percent, *, left=False):
            found = accounts.create_person(None, name, unit=units[unit])
            if left:
                found.left_roster_on = TODAY - dt.timedelta(days=3)
            db.session.add(
                Position(
                    person_id=found.id,
                    unit_id=units[unit].id,
                    yrkesgruppe="helsefagarbeider",
                    stillingsprosent=Decimal(percent),
                    ansettelsesform=Ansettelsesform.FAST,
                )
            )
            db.session.flush()
            return found

        def record(found, data, *, effective_on=None, source=Source.CONVERSATION):
            document = living.document_for(found)
            current = living.current_revision(document)
            return living.save_revision(
                document,
                data,
                base=current.number if current else 0,
                author=found,
                author_role="ansatt",
                source=source,
                effective_on=effective_on,
            )

        last_year = dt.date(TODAY.year - 1, 6, 1)
        for index in range(6):
            found = person(f"Anne {index}", "omsorg_a", 50)
            if index < 5:
                record(found, WANTS_MORE, effective_on=last_year)
            revision = record(found, {**WANTS_MORE, "onsket_prosent": 80 + (index == 0)})
            if index < 5:
                confirmation = living.record_confirmation(
                    living.document_for(found), found, revision.number, ConfirmationKind.CONFIRMED
                )
                confirmation.at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
            if index == 0:
                db.session.add(FollowUp(person_id=found.id, status=FollowUpStatus.HELD))
            if index == 1:
                record(found, {**WANTS_MORE, "onsket_prosent": 90}, source=Source.EMPLOYEE)
            if index == 2:
                living.record_confirmation(
                    living.document_for(found),
                    found,
                    revision.number,
                    ConfirmationKind.CORRECTION_REQUESTED,
                    comment="feil",
                )
            ids[f"a{index}"] = found.id
        for index in range(5):
            found = person(f"Bård {index}", "omsorg_b", 100)
            revision = record(found, KEEPS)
            if index == 0:
                confirmation = living.record_confirmation(
                    living.document_for(found), found, revision.number, ConfirmationKind.CONFIRMED
                )
                confirmation.at = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        person("Uten dokument", "omsorg_b", 60)
        person("Sluttet", "omsorg_b", 60, left=True)

        for status in (CaseStatus.OPEN, CaseStatus.CLOSED):
            db.session.add(
                Vacancy(
                    title="Helsefagarbeider 30 %",
                    unit_id=units["omsorg_a"].id,
                    yrkesgruppe="helsefagarbeider",
                    percent=Decimal(30),
                    status=status,
                )
            )
        running = Campaign(
            slug="arlig",
            questionnaire_id="heltid-arlig",
            mode=Mode.IDENTIFIED,
            title="Årlig kartlegging",
            opens_on=TODAY - dt.timedelta(days=2),
            closes_on=TODAY + dt.timedelta(days=12),
        )
        ended = Campaign(
            slug="forrige",
            questionnaire_id="heltid-arlig",
            mode=Mode.IDENTIFIED,
            title="Forrige runde",
            closes_on=TODAY - dt.timedelta(days=1),
        )
        db.session.add_all([running, ended])
        db.session.flush()
        for index in range(3):
            db.session.add(
                Invitation(
                    campaign_id=running.id,
                    token_hash=f"{index:064d}",
                    unit_id=units["omsorg_a"].id,
                    used_on=TODAY if index == 0 else None,
                )
            )
        db.session.commit()
        ids["running"] = running.id
        ids["ended"] = ended.id
    return ids


@pytest.fixture
def town(app):
    return build(app)


def _figures(app, unit_codes=None):
    from sqlalchemy import select

    from survey.access.guard import descendants
    from survey.accounts.models import Unit
    from survey.extensions import db
    from survey.overview import services

    with app.test_request_context(headers={"Accept-Language": "en"}):
        unit_ids = None
        if unit_codes is not None:
            unit_ids = descendants(
                db.session.scalars(select(Unit.id).where(Unit.code.in_(unit_codes))).all()
            )
        return {
            "campaigns": services.running_campaigns(unit_ids, TODAY, 5, "en"),
            "coverage": services.coverage(unit_ids, 5),
            "heltid": services.heltid(unit_ids, TODAY, 5, "en"),
            "follow_ups": services.open_follow_ups(unit_ids),
            "inbox": services.inbox_items(),
            "vacancies": services.open_vacancies(unit_ids),
        }


def test_figures_for_the_whole_municipality(app, town):
    figures = _figures(app)
    (campaign,) = figures["campaigns"]
    assert campaign["id"] == town["running"]
    assert (campaign["invited"], campaign["submitted"]) == (3, 1)
    assert campaign["rate"] == pytest.approx(100 / 3)
    # 12 on the roster (the one who left is not), 5 confirmed within 12 months.
    assert figures["coverage"] == {"confirmed": 5, "n": 12, "share": pytest.approx(500 / 12)}
    heltid = figures["heltid"]
    assert heltid["mapped"] == 11
    assert heltid["wanting_more"] == 6
    # Six want more: four 30 points, one 31, and one (who changed her wish) 40: 1,91 årsverk.
    assert heltid["extra_arsverk"] == pytest.approx(1.91)
    assert heltid["now"]["n"] == 11
    assert heltid["last_year"]["day"] == dt.date(TODAY.year - 1, 12, 31)
    assert heltid["last_year"]["n"] == 5
    assert figures["follow_ups"] == 5
    assert figures["inbox"] == 2
    assert figures["vacancies"] == 1


def test_figures_are_the_heltid_reports(app, town):
    """Involuntary part time and desired årsverk as the heltid report prints them."""
    from survey.classification import load_definitions
    from survey.reporting.facts import Settings
    from survey.reporting.heltid_report import build_report, heltid_data
    from survey.reporting.scope import Scope

    heltid = _figures(app)["heltid"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        settings = Settings.from_definitions(load_definitions(), None, None)
        figures, points = heltid_data(Scope.whole(), TODAY, settings)
        report = build_report(figures, points, lang="en", minimum=5, scope=Scope.whole())
    tables = {table.id: table for table in report.tables()}
    involuntary = [
        row.cells[1].value
        for row in tables["classification-active"].rows
        if row.cells[0].value == "Involuntary part time"
    ]
    assert involuntary == [heltid["now"]["involuntary"]]
    assert tables["arsverk"].rows[0].cells[1].value == pytest.approx(heltid["extra_arsverk"])
    last_year = [
        row.cells[2].value
        for row in tables["trend"].rows
        if row.cells[0].value == f"12/31/{str(TODAY.year - 1)[2:]}"
    ]
    assert last_year == [heltid["last_year"]["involuntary"]]
    assert heltid["now"]["involuntary"] is not None


def test_unit_leader_figures_are_of_their_units(app, town):
    figures = _figures(app, ["omsorg_a"])
    # 5 of 6 confirmed: 1 not confirmed is fewer than 5, so hidden, and with it the 5.
    assert figures["coverage"]["confirmed"] is None and figures["coverage"]["n"] == 6
    assert figures["campaigns"][0]["invited"] == 3
    assert figures["heltid"]["mapped"] == 6
    assert figures["vacancies"] == 1
    b = _figures(app, ["omsorg_b"])
    assert b["coverage"] == {"confirmed": 0, "n": 6, "share": 0}
    assert b["campaigns"][0]["invited"] == 0 and b["campaigns"][0]["rate"] is None


def test_project_leader_front_page(app, client, town):
    leader = make_person(app, "prosjektleder")
    login_as(client, app, leader)
    front = client.get("/", headers={"Accept-Language": "en"})
    assert front.status_code == 302 and front.headers["Location"].endswith("/oversikt/")
    page = client.get("/oversikt/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context():
        links = [
            url_for("rates.campaign", campaign_id=town["running"]),
            url_for("living.reconfirmation"),
            url_for("reporting.index"),
            url_for("followup.index"),
            url_for("living.inbox"),
            url_for("committee.index"),
        ]
    for link in links:
        assert f'href="{link}"' in html, link
    # The English title is the questionnaire's (the campaign has only a bokmål one).
    assert "Annual survey of your position" in html
    assert "1 of 3 invited (N = 3)" in html
    assert "5 of 12 people on the roster" in html and "41.7%" in html
    assert "33.3%" in html
    assert "1.9" in html  # desired extra årsverk, one decimal


def test_bokmal_numbers_have_decimal_commas(app, client, town):
    leader = make_person(app, "prosjektleder")
    login_as(client, app, leader)
    html = client.get("/oversikt/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "33,3" in html and "1,9" in html and "41,7" in html
    assert "Årlig kartlegging" in html and "Forrige runde" not in html


def test_unit_leader_front_page(app, client, town):
    leader = make_person(app, "enhetsleder", unit="omsorg_a")
    login_as(client, app, leader)
    assert client.get("/").headers["Location"].endswith("/oversikt/")
    html = client.get("/oversikt/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    with app.test_request_context():
        assert url_for("rates.campaign", campaign_id=town["running"]) in html
        assert url_for("reporting.index") in html
        for hidden in ("followup.index", "living.inbox", "committee.index"):
            assert f'href="{url_for(hidden)}"' not in html
    assert "Your units" in html
    assert "– of 6 people on the roster" in html


@pytest.mark.parametrize("role", [None, "tillitsvalgt"])
def test_others_keep_the_front_page(app, client, town, role):
    if role is not None:
        login_as(client, app, make_person(app, role))
    front = client.get("/", headers={"Accept-Language": "en"})
    assert front.status_code == 200
    assert client.get("/oversikt/").status_code in (302, 403)
