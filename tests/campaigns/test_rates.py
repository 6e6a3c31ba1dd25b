"""Response rates from the invitation table: per unit with its sub-units, per yrkesgruppe, by
day, delivery; a unit leader sees their units; anonymous campaigns hide small groups and are
never counted from their answers.

Units: Helse (helse) › Omsorg A (omsorg_a) › Avdeling A1 (a1); Helse › Omsorg B (omsorg_b).

    omsorg_a  4 invited  Helsefagarbeider   2 submitted, 1 started, 1 opened
    a1        3 invited  assistent          1 submitted, 2 nothing
    omsorg_b  5 invited  helsefagarbeider   5 submitted (+1 who left the roster, submitted)
    no unit   1 invited  (none)             nothing
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tests.conftest import login_as, make_person

TODAY = dt.date.today()
_tokens = itertools.count(1)


def _invitation(campaign, unit, group, stage, *, used_days_ago=0, left=False, channel=None):
    from survey.campaigns.models import Invitation

    day = TODAY - dt.timedelta(days=used_days_ago)
    return Invitation(
        campaign_id=campaign.id,
        token_hash=f"{next(_tokens):064d}",
        unit_id=None if unit is None else unit.id,
        yrkesgruppe=group,
        created_on=TODAY - dt.timedelta(days=5),
        opened_on=day if stage in ("opened", "started") else None,
        started_on=day if stage == "started" else None,
        # A submitted invitation whose opened/started days were never recorded still counts.
        used_on=day if stage == "submitted" else None,
        left_on=TODAY if left else None,
        channel=channel,
    )


def build(app, mode="identified") -> int:
    from survey.accounts.models import Unit
    from survey.campaigns.models import Campaign, Mode
    from survey.extensions import db

    with app.app_context():
        helse = Unit(code="helse", name="Helse")
        db.session.add(helse)
        db.session.flush()
        omsorg_a = Unit(code="omsorg_a", name="Omsorg A", parent_id=helse.id)
        omsorg_b = Unit(code="omsorg_b", name="Omsorg B", parent_id=helse.id)
        db.session.add_all([omsorg_a, omsorg_b])
        db.session.flush()
        a1 = Unit(code="a1", name="Avdeling A1", parent_id=omsorg_a.id)
        db.session.add(a1)
        campaign = Campaign(
            slug=f"arlig-{mode}",
            questionnaire_id="heltid-arlig",
            mode=Mode(mode),
            title="Årlig kartlegging",
            opens_on=TODAY - dt.timedelta(days=3),
            closes_on=TODAY + dt.timedelta(days=10),
        )
        db.session.add(campaign)
        db.session.flush()
        rows = [
            _invitation(campaign, omsorg_a, "Helsefagarbeider", "submitted", used_days_ago=2),
            _invitation(campaign, omsorg_a, "Helsefagarbeider", "submitted", used_days_ago=0),
            _invitation(campaign, omsorg_a, "Helsefagarbeider", "started"),
            _invitation(campaign, omsorg_a, "Helsefagarbeider", "opened"),
            _invitation(campaign, a1, "assistent", "submitted", used_days_ago=1),
            _invitation(campaign, a1, "assistent", None),
            _invitation(campaign, a1, "assistent", None),
            *(
                _invitation(campaign, omsorg_b, "helsefagarbeider", "submitted", used_days_ago=3)
                for _ in range(5)
            ),
            _invitation(campaign, omsorg_b, "helsefagarbeider", "submitted", left=True),
            _invitation(campaign, None, None, None),
        ]
        db.session.add_all(rows)
        db.session.commit()
        return campaign.id


def _rates(app, campaign_id, unit_codes=None):
    from sqlalchemy import select

    from survey.access.guard import descendants
    from survey.accounts.models import Unit
    from survey.campaigns import rates
    from survey.campaigns.models import Campaign
    from survey.extensions import db

    with app.test_request_context(headers={"Accept-Language": "en"}):
        unit_ids = None
        if unit_codes is not None:
            ids = db.session.scalars(select(Unit.id).where(Unit.code.in_(unit_codes))).all()
            unit_ids = descendants(ids)
        campaign = db.session.get(Campaign, campaign_id)
        found = rates.campaign_rates(campaign, unit_ids, today=TODAY, minimum=5)
        return found, rates.as_rows(found)


def _line(rows, label):
    (found,) = [line for line in rows if line["label"] == label]
    return found


def _stages(line):
    return (line["invited"], line["opened"], line["started"], line["submitted"])


def test_rates_per_unit_tree_yrkesgruppe_and_day(app):
    campaign_id = build(app)
    found, rows = _rates(app, campaign_id)

    assert _stages(rows["total"]) == (13, 10, 9, 8)
    assert rows["total"]["rate"] == pytest.approx(100 * 8 / 13)
    assert found.left == 1
    # The tree: each unit with everything below it, sub-units indented under it; Omsorg A
    # has people of its own and a sub-unit, so its own people get a row.
    assert [(line["label"], line["depth"]) for line in rows["units"]] == [
        ("Helse", 0),
        ("Omsorg A", 1),
        ("Omsorg A, not in a sub-unit", 2),
        ("Avdeling A1", 2),
        ("Omsorg B", 1),
        ("No unit", 0),
    ]
    units = rows["units"]
    assert _stages(_line(units, "Helse")) == (12, 10, 9, 8)
    assert _stages(_line(units, "Omsorg A")) == (7, 5, 4, 3)
    assert _stages(_line(units, "Omsorg A, not in a sub-unit")) == (4, 4, 3, 2)
    assert _stages(_line(units, "Avdeling A1")) == (3, 1, 1, 1)
    assert _stages(_line(units, "Omsorg B")) == (5, 5, 5, 5)
    assert _line(units, "Omsorg B")["rate"] == 100
    assert _stages(_line(units, "No unit")) == (1, 0, 0, 0)

    # Yrkesgrupper as the roster spells them, once whatever the case.
    groups = {line["label"].lower(): _stages(line) for line in rows["yrkesgrupper"]}
    assert groups == {
        "helsefagarbeider": (9, 9, 8, 7),
        "assistent": (3, 1, 1, 1),
        "not recorded": (1, 0, 0, 0),
    }

    # Day by day from the opening day to today: submitted so far, of those invited by then.
    assert [(p["day"], p["invited"], p["submitted"]) for p in rows["trend"]] == [
        (TODAY - dt.timedelta(days=3), 13, 5),
        (TODAY - dt.timedelta(days=2), 13, 6),
        (TODAY - dt.timedelta(days=1), 13, 7),
        (TODAY, 13, 8),
    ]
    assert not found.any_hidden


def test_unit_leader_sees_their_units_only(app, client):
    campaign_id = build(app)
    _found, rows = _rates(app, campaign_id, ["omsorg_a"])
    assert [line["label"] for line in rows["units"]] == [
        "Omsorg A",
        "Omsorg A, not in a sub-unit",
        "Avdeling A1",
    ]
    assert _stages(rows["total"]) == (7, 5, 4, 3)
    assert [p["submitted"] for p in rows["trend"]] == [0, 1, 2, 3]

    leader = make_person(app, "enhetsleder", unit="omsorg_a")
    login_as(client, app, leader)
    page = client.get(f"/kampanjer/{campaign_id}/svar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Avdeling A1" in html and "Omsorg A" in html
    assert "Omsorg B" not in html and "Helse<" not in html
    assert "N = 7" in html


@pytest.mark.parametrize("role", ["ansatt", "tillitsvalgt", "utvalgsmedlem"])
def test_others_may_not_see_rates(app, client, role):
    campaign_id = build(app)
    person = make_person(app, role, unit="omsorg_a")
    login_as(client, app, person)
    assert client.get(f"/kampanjer/{campaign_id}/svar").status_code == 403
    assert client.get(f"/kampanjer/{campaign_id}/svar.csv").status_code == 403


def test_project_leader_page_and_csv(app, client):
    campaign_id = build(app)
    leader = make_person(app, "prosjektleder")
    login_as(client, app, leader)
    page = client.get(f"/kampanjer/{campaign_id}/svar", headers={"Accept-Language": "nb"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Årlig kartlegging" in html
    # Decimal comma: 8 of 13 is 61,5 %.
    assert "61,5" in html
    assert "N = 13" in html
    assert "<svg" in html and "<title>" in html

    csv = client.get(f"/kampanjer/{campaign_id}/svar.csv")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert "Omsorg B;2;5;5;5;5;100" in text.replace("100,0", "100")
    assert ";13;10;9;8;61,5" in text
    assert client.get("/kampanjer/999/svar").status_code == 404


def test_anonymous_campaign_hides_small_groups_and_ignores_responses(app):
    from survey.answering.models import Response, Status
    from survey.extensions import db
    from survey.questionnaires.services import latest_version

    campaign_id = build(app, mode="anonymous")
    _found, before = _rates(app, campaign_id)
    units = before["units"]
    # Avdeling A1 (3) and Omsorg A's own (4) are fewer than 5; Omsorg A (7) stays.
    assert _line(units, "Avdeling A1")["invited"] is None
    assert _line(units, "Omsorg A, not in a sub-unit")["invited"] is None
    assert _stages(_line(units, "Omsorg A")) == (7, 5, 4, 3)
    # «No unit» (1) is hidden, so Helse (12) could tell it from the total (13): hidden too,
    # and then one of its parts (Omsorg B, the smaller) so that Helse cannot be recovered.
    assert _line(units, "No unit")["invited"] is None
    assert _line(units, "Helse")["invited"] is None
    assert _line(units, "Omsorg B")["invited"] is None
    assert _stages(before["total"]) == (13, 10, 9, 8)
    groups = {line["label"].lower(): line["invited"] for line in before["yrkesgrupper"]}
    assert groups == {"helsefagarbeider": 9, "assistent": None, "not recorded": None}

    # Answers (here through the open link, which an anonymous survey has) change nothing.
    with app.app_context():
        version = latest_version("heltid-arlig")
        for _ in range(7):
            db.session.add(
                Response(
                    campaign_id=campaign_id,
                    questionnaire_version_id=version.id,
                    status=Status.SUBMITTED,
                    submitted_on=TODAY,
                )
            )
        db.session.commit()
    _found, after = _rates(app, campaign_id)
    assert after == before


def test_small_anonymous_scope_hides_everything(app):
    campaign_id = build(app, mode="anonymous")
    found, rows = _rates(app, campaign_id, ["a1"])
    assert rows["total"]["invited"] is None
    assert rows["trend"] == [] and found.trend_hidden
    # An identified campaign shows the same small unit: it is who took part, not what they said.
    identified = build_identified_copy(app)
    _found, shown = _rates(app, identified, ["a1"])
    assert _stages(shown["total"]) == (3, 1, 1, 1)


def build_identified_copy(app) -> int:
    """A second, identified campaign with the same invitations in a1."""
    from sqlalchemy import select

    from survey.accounts.models import Unit
    from survey.campaigns.models import Campaign, Mode
    from survey.extensions import db

    with app.app_context():
        a1 = db.session.scalars(select(Unit).where(Unit.code == "a1")).one()
        campaign = Campaign(slug="kopi", questionnaire_id="heltid-arlig", mode=Mode.IDENTIFIED)
        db.session.add(campaign)
        db.session.flush()
        db.session.add_all(
            [
                _invitation(campaign, a1, "assistent", "submitted"),
                _invitation(campaign, a1, "assistent", None),
                _invitation(campaign, a1, "assistent", None),
            ]
        )
        db.session.commit()
        return campaign.id


def test_delivery_from_the_outbox(app, client):
    from survey.campaigns.models import Channel
    from survey.extensions import db
    from survey.outbox.models import MessageKind, OutboxMessage, OutboxStatus

    campaign_id = build(app)
    with app.app_context():

        def message(channel, status, attempts=0):
            return OutboxMessage(
                channel=channel,
                recipient="x",
                campaign_id=campaign_id,
                kind=MessageKind.INVITATION,
                status=status,
                attempts=attempts,
            )

        db.session.add_all(
            [
                message(Channel.EMAIL, OutboxStatus.SENT),
                message(Channel.EMAIL, OutboxStatus.SENT),
                message(Channel.EMAIL, OutboxStatus.PENDING),
                message(Channel.EMAIL, OutboxStatus.PENDING, attempts=2),
                message(Channel.SMS, OutboxStatus.FAILED, attempts=1),
            ]
        )
        db.session.commit()
    found, _rows = _rates(app, campaign_id)
    assert found.delivery.by_channel == {
        "email": {"sent": 2, "pending": 1, "retrying": 1, "failed": 0},
        "sms": {"sent": 0, "pending": 0, "retrying": 0, "failed": 1},
    }
    assert found.delivery.failed == 1
    # A unit leader's count is of their units' invitations: these messages have none.
    unit_found, _rows = _rates(app, campaign_id, ["omsorg_a"])
    assert unit_found.delivery.by_channel == {}
    leader = make_person(app, "prosjektleder")
    login_as(client, app, leader)
    html = client.get(f"/kampanjer/{campaign_id}/svar").get_data(as_text=True)
    assert "SMS" in html


def test_long_campaign_is_shown_week_by_week():
    from survey.campaigns.rates import trend_days

    start = dt.date(2026, 1, 1)
    days, weekly = trend_days(start, dt.date(2026, 1, 31))
    assert not weekly and len(days) == 31
    days, weekly = trend_days(start, dt.date(2026, 6, 30))
    assert weekly and days[0] == start and days[1] == dt.date(2026, 1, 8)
    assert days[-1] == dt.date(2026, 6, 30)
    assert trend_days(start, dt.date(2025, 12, 1)) == ([], False)


def test_anonymous_page_and_csv_show_hidden_rows_as_a_dash(app, client):
    campaign_id = build(app, mode="anonymous")
    login_as(client, app, make_person(app, "prosjektleder"))
    page = client.get(f"/kampanjer/{campaign_id}/svar", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Anonymous survey: a row of fewer than 5 invited people" in html
    assert ">–</td>" in html
    assert "Answers through the open link are not counted here." in html
    csv = client.get(f"/kampanjer/{campaign_id}/svar.csv", headers={"Accept-Language": "en"})
    text = csv.get_data(as_text=True)
    assert "Avdeling A1;3;–;–;–;–;–" in text
    assert "hidden in anonymous surveys" in text
