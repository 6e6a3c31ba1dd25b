"""Reminders (survey/campaigns/messaging.py): only to those who have not submitted, on the
reminder days and never after closing, once a day, «fortsett» for those who started."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from survey.campaigns import messaging
from survey.campaigns.models import Campaign, Channel, Invitation
from survey.db import unit_of_work
from survey.extensions import db
from survey.outbox.models import MessageKind
from tests.campaigns import messaging_setup as setup

CLOSES = setup.CLOSES  # 15 January 2027; reminders 7 and 3 days before: 8 and 12 January
DAY7, DAY3 = dt.date(2027, 1, 8), dt.date(2027, 1, 12)


def _campaign_with_people(app, **campaign_args) -> int:
    """Five people invited by e-mail: one submitted, one started, one left, one without
    e-mail or mobile, one not yet answered. Returns the campaign id."""
    app.config["SMS_PROVIDER"] = "console"
    with app.app_context(), unit_of_work():
        campaign = setup.campaign("identified", reminder_days=[7, 3], **campaign_args)
        persons = setup.people(
            [
                ("Submitted Person", "done@kommune.no", None),
                ("Started Person", None, "+4791111111"),
                ("Left Person", "left@kommune.no", None),
                ("Letter Person", None, None),
                ("Waiting Person", "waiting@kommune.no", None),
            ]
        )
        done, started, left, _letter, _waiting = setup.invite(campaign, persons)
        done.used_on = dt.date(2027, 1, 2)
        started.started_on = dt.date(2027, 1, 3)
        left.left_on = dt.date(2027, 1, 4)
        return campaign.id


def _remind(app, day, **kwargs):
    with app.app_context(), unit_of_work():
        return messaging.remind_due(day, **kwargs)


def _reminders(app):
    with app.app_context():
        return [
            (m.recipient, m.kind, m.subject, m.body)
            for m in setup.outbox()
            if m.kind is MessageKind.REMINDER
        ]


def test_reminders_go_to_those_not_submitted_on_the_reminder_days_only(app):
    _campaign_with_people(app)

    assert _remind(app, dt.date(2027, 1, 7)) == messaging.ReminderCounts()  # before day 7
    counts = _remind(app, DAY7)
    assert counts == messaging.ReminderCounts(email=1, sms=1, letter=1, campaigns=1)
    reminders = _reminders(app)
    assert [(recipient, kind) for recipient, kind, _, _ in reminders] == [
        ("waiting@kommune.no", MessageKind.REMINDER),
        ("+4791111111", MessageKind.REMINDER),
    ]
    waiting_email, started_sms = reminders
    # «fortsett» for the one who started, a plain reminder for the other.
    assert started_sms[3].startswith("Du har begynt på undersøkelsen, men ikke sendt den.")
    assert "Fortsett innen 15. januar 2027:" in started_sms[3]
    assert waiting_email[2] == "Påminnelse: Kartlegging 2027"
    assert "Vi har ikke fått svaret ditt" in waiting_email[3]

    # The same day again, and the days up to the next reminder day: nothing.
    assert _remind(app, DAY7).email == 0
    assert _remind(app, DAY7 + dt.timedelta(days=1)).email == 0
    assert len(_reminders(app)) == 2

    # Day 3: the same two again; the letter-only person is counted, never messaged.
    assert _remind(app, DAY3) == messaging.ReminderCounts(email=1, sms=1, letter=1, campaigns=1)
    with app.app_context():
        rows = {
            row.person_id: (row.reminders_sent, row.last_reminded_on, row.channel)
            for row in db.session.scalars(select(Invitation))
        }
    assert sorted(rows.values(), key=str) == sorted(
        [
            (0, None, None),  # submitted
            (2, DAY3, Channel.SMS),  # started
            (0, None, None),  # left
            (0, None, None),  # letter only
            (2, DAY3, Channel.EMAIL),  # waiting
        ],
        key=str,
    )


def test_a_missed_reminder_day_is_caught_up_once(app):
    _campaign_with_people(app)
    # The job did not run on day 7; it runs on day 9: reminded once, not twice.
    assert _remind(app, dt.date(2027, 1, 9)).email == 1
    assert _remind(app, dt.date(2027, 1, 10)).email == 0
    assert len(_reminders(app)) == 2


def test_nobody_is_reminded_after_submitting(app):
    campaign_id = _campaign_with_people(app)
    _remind(app, DAY7)
    with app.app_context(), unit_of_work():
        for invitation in db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == campaign_id)
        ):
            invitation.used_on = DAY7
    assert _remind(app, DAY3) == messaging.ReminderCounts(campaigns=1)
    with app.app_context(), unit_of_work():
        counts = messaging.remind_now(db.session.get(Campaign, campaign_id), DAY3)
    assert (counts.email, counts.sms, counts.letter) == (0, 0, 0)


def test_never_after_closing_nor_in_a_closed_or_unopened_campaign(app):
    campaign_id = _campaign_with_people(app)
    assert _remind(app, CLOSES + dt.timedelta(days=1)) == messaging.ReminderCounts()
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        assert messaging.remind_now(campaign, CLOSES + dt.timedelta(days=1)).closed
        assert messaging.remind_now(campaign, dt.date(2026, 11, 30)).closed  # before opening
        campaign.is_open = False
    assert _remind(app, DAY3) == messaging.ReminderCounts()
    with app.app_context(), unit_of_work():
        assert messaging.remind_now(db.session.get(Campaign, campaign_id), DAY3).closed
    assert _reminders(app) == []


def test_remind_now_reaches_everyone_not_submitted_once_a_day(app):
    campaign_id = _campaign_with_people(app)
    day = dt.date(2027, 1, 5)  # no reminder day
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        first = messaging.remind_now(campaign, day)
        second = messaging.remind_now(campaign, day)
    assert (first.email, first.sms, first.letter, first.closed) == (1, 1, 1, False)
    assert (second.email, second.sms) == (0, 0)
    # The daily job on the next reminder day still reminds: it is a new day.
    assert _remind(app, DAY7).email == 1
    assert len(_reminders(app)) == 4


def test_people_invited_after_the_reminder_day_wait_for_the_next_one(app):
    app.config["SMS_PROVIDER"] = None
    with app.app_context(), unit_of_work():
        campaign = setup.campaign(reminder_days=[7, 3])
        early, late = setup.people(
            [("Early Person", "early@kommune.no", None), ("Late Person", "late@kommune.no", None)]
        )
        setup.invite(campaign, [early])
        setup.invite(campaign, [late], created_on=DAY7 + dt.timedelta(days=1))
    assert _remind(app, DAY7 + dt.timedelta(days=1)).email == 1
    assert [r[0] for r in _reminders(app)] == ["early@kommune.no"]
    assert _remind(app, DAY3).email == 2


def test_reminders_in_nynorsk_and_only_for_the_campaign_asked(app):
    app.config["SMS_PROVIDER"] = None
    with app.app_context(), unit_of_work():
        nynorsk = setup.campaign(language="nn", reminder_days=[3])
        other = setup.campaign(reminder_days=[3])
        anne, bjorn = setup.people(
            [("Anne Li", "anne@kommune.no", None), ("Bjørn Dal", "bjorn@kommune.no", None)]
        )
        setup.invite(nynorsk, [anne])
        setup.invite(other, [bjorn])
        nynorsk_id = nynorsk.id

    counts = _remind(app, DAY3, campaign_id=nynorsk_id)
    assert (counts.email, counts.campaigns) == (1, 1)
    ((recipient, _, subject, body),) = _reminders(app)
    assert recipient == "anne@kommune.no"
    assert subject == "Påminning: Kartlegging 2027 (nynorsk)"
    assert body.startswith("Hei Anne Li,") and "Vi har ikkje fått svaret ditt" in body


def test_cli_remind(runner, app):
    campaign_id = _campaign_with_people(app)
    today = dt.date.today()
    with app.app_context(), unit_of_work():
        # Move the campaign around today so the daily job has a reminder day today.
        campaign = db.session.get(Campaign, campaign_id)
        campaign.opens_on = today - dt.timedelta(days=10)
        campaign.closes_on = today + dt.timedelta(days=3)
    result = runner.invoke(args=["campaign", "remind"])
    assert result.exit_code == 0, result.output
    assert "2 reminders queued (1 e-mail, 1 SMS); 1 without e-mail or mobile" in result.output
    again = runner.invoke(args=["campaign", "remind", str(campaign_id), "--now"])
    assert "0 reminders queued" in again.output
    missing = runner.invoke(args=["campaign", "remind", "--now"])
    assert missing.exit_code != 0 and "--now needs a campaign" in missing.output


def test_two_reminder_runs_at_once_remind_each_person_once(app):
    """The second run read the same non-respondents, then waits for the first run's locks
    and claims nobody: each person gets one reminder."""
    _campaign_with_people(app)
    second: dict[str, messaging.ReminderCounts] = {}

    def run_second():
        with app.app_context(), unit_of_work():
            second["counts"] = messaging.remind_due(DAY7)

    with app.app_context(), unit_of_work():
        first = messaging.remind_due(DAY7)
        thread = threading.Thread(target=run_second)
        thread.start()
        thread.join(timeout=2)
        assert thread.is_alive(), "the second run should wait for the first one's commit"
    thread.join(timeout=30)
    assert (first.email, first.sms) == (1, 1)
    assert (second["counts"].email, second["counts"].sms) == (0, 0)
    assert len(_reminders(app)) == 2
