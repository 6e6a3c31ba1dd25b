"""Acceptance (issue 12): the yearly loop end to end, on SQLite and PostgreSQL.

roster of 40 (e-mail, mobile, neither) → identified heltid-arlig campaign with its period →
invite the roster → the outbox delivers e-mails to a real SMTP server and SMS to a real HTTP
gateway, the letters PDF has a page for each of the others → 10 respondents answer through
their links in Chromium on a 360 px phone → reminders go only to the other 30 → response rates
per unit → each answer is a revision of that person's living document → those wanting more
are on the follow-up list → a booked conversation sends an .ics that parses → the heltid report
counts the new answers."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey.accounts.models import Person
from survey.campaigns.models import Invitation
from survey.db import today
from survey.extensions import db
from survey.living.models import LivingDocument, Revision, Source
from survey.outbox.models import MessageKind, OutboxMessage, OutboxStatus
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import CSRF_RE, login_as, make_person
from tests.outbox.conftest import Gateway, SmtpServer

pytestmark = pytest.mark.browser

UNITS = ["omsorgssenter_a", "hjemmetjenesten", "omsorgssenter_b"]
GROUPS = ["helsefagarbeider", "sykepleier", "assistent"]
LINK = re.compile(r"https?://\S+/i/[A-Za-z0-9_-]{22}")


def percent_of(number: int) -> int:
    """1–4 part time and want more; 5–7 full time; 8–10 part time and content; the rest mixed."""
    if number <= 4:
        return [50, 60, 75, 80][number - 1]
    if number <= 7:
        return 100
    if number <= 10:
        return 50
    return [40, 100, 75][number % 3]


def roster_file(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "ansattnummer",
                "navn",
                "enhet",
                "yrkesgruppe",
                "stillingsprosent",
                "ansettelsesform",
                "startdato",
                "epost",
                "mobil",
            ]
        )
        for number in range(1, 41):
            writer.writerow(
                [
                    f"A{number:03d}",
                    f"Ansatt Nummer{number:02d}",
                    UNITS[number % 3],
                    GROUPS[number % 3],
                    str(percent_of(number)),
                    "fast",
                    "01.01.2020",
                    f"ansatt{number}@kommune.example" if number <= 16 else "",
                    f"912 34 {number:03d}"[:10] if 17 <= number <= 30 else "",
                ]
            )
    return path


def answers_for(number: int) -> dict:
    if number <= 4:
        return {
            "ansettelsesform": "fast",
            "fornoyd_storrelse": "no",
            "onsket_endring": "storre",
            "onsket_prosent": "100",
            "onsket_fast": "yes",
            "villig_helger": "oftere",
            "villig_langvakter": "yes",
            "helger_per_ar": "20",
            "langvakt_hyppighet": "hver_4",
            "villig_andre_enheter": "annen_enhet",
            "andre_vakter": ["kveld"],
            "ubundet_tid": "yes",
            "fagbrev": "yes",
            "oppstart_uker": "4",
            "onske_skriftlig": "yes",
            "forsokt_flere_timer": "no",
            "arsaker_deltid": ["ikke_tilbudt"],
            "onsker_samtale": "yes",
        }
    return {
        "ansettelsesform": "fast",
        "fornoyd_storrelse": "yes",
        "onsket_endring": "samme",
        "onsker_samtale": "no",
    }


class QuickPhone(Phone):
    """The other respondents' phones: the first one runs every page check (axe, vnu); these
    keep the screenshot and the 360 px check."""

    def inspect(self) -> None:
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[1], f"horizontal scrolling on {self.path}: {widths}"

    def close(self) -> None:
        self.context.close()


def answer_in_chromium(phone: Phone, link: str, answers: dict) -> str:
    phone.goto(urlsplit(link).path)
    phone.click("Start")
    for _ in range(15):
        if "/side/" not in phone.path:
            break
        before = phone.path
        phone.fill_page(answers)
        phone.click("Neste")
        assert phone.path != before or "/side/" not in phone.path, phone.text()[:800]
    assert phone.path.endswith("/oppsummering"), phone.path
    phone.click("Send svarene")
    assert phone.path.endswith("/kvittering"), phone.path
    return " ".join(phone.text().split())


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def servers():
    smtp = SmtpServer()
    smtp.start()
    gateway = Gateway()
    yield smtp, gateway
    smtp.stop()
    gateway.stop()


@pytest.fixture
def live(app, servers):
    smtp, gateway = servers
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config.update(
        BASE_URL=base,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_USE_TLS=False,
        MAIL_FROM="Heltid <heltid@kommune.example>",
        MAIL_RATE_PER_MINUTE=0,
        OUTBOX_FLUSH_AFTER_REQUEST=False,
        SMS_PROVIDER="http",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_TOKEN="test-token",
        SMS_SENDER="Kommunen",
        HELP_CONTACT="Servicetorget, tlf. 38 00 00 00",
    )
    yield base
    server.shutdown()
    thread.join(timeout=5)


def test_the_yearly_loop(app, live, servers, browser, axe_source, tmp_path):
    smtp, gateway = servers
    day = today()

    # Roster → campaign → invite.
    output = cli(
        app, "roster", "import", str(roster_file(tmp_path / "roster.csv")), "--create-units"
    )
    opens, closes = day - dt.timedelta(days=1), day + dt.timedelta(days=10)
    output = cli(
        app,
        "campaign",
        "create",
        "--questionnaire",
        "heltid-arlig",
        "--mode",
        "identified",
        "--title",
        "Kartlegging av stillingsstørrelse 2027",
        "--opens",
        opens.isoformat(),
        "--closes",
        closes.isoformat(),
        "--remind",
        "7",
        "--remind",
        "3",
    )
    campaign_id = int(re.search(r"campaign (\d+)", output).group(1))
    output = cli(app, "campaign", "invite", str(campaign_id), "--roster")
    assert "40" in output
    # Idempotent: nobody is invited twice.
    cli(app, "campaign", "invite", str(campaign_id), "--roster")
    with app.app_context():
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == campaign_id)
        ).all()
        assert len(invitations) == 40
        people = {p.ansattnummer: p.id for p in db.session.scalars(select(Person))}
    number_of = {person_id: int(number[1:]) for number, person_id in people.items() if number}

    # Delivery: e-mail to 1–16, SMS to 17–30, a letter for 31–40.
    cli(app, "outbox", "send")
    assert sorted(m["to"][0] for m in smtp.messages) == sorted(
        f"ansatt{n}@kommune.example" for n in range(1, 17)
    )
    assert len(gateway.requests) == 14
    sms_to = sorted(
        re.search(r'"to": "(\+47\d{8})"', r["body"].decode()).group(1) for r in gateway.requests
    )
    assert sms_to == sorted(f"+4791234{n:03d}"[:11] for n in range(17, 31))
    assert all(r["headers"].get("Authorization") == "Bearer test-token" for r in gateway.requests)
    letters = tmp_path / "letters.pdf"
    cli(app, "campaign", "letters", str(campaign_id), "-o", str(letters))
    pages = subprocess.run(
        ["pdftotext", "-layout", str(letters), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == 10
    # One page per person (in the order they are handed out), each with its own link.
    named = [re.findall(r"Ansatt Nummer(\d\d)", page) for page in pages]
    assert all(len(set(names)) == 1 for names in named), named
    assert sorted(int(names[0]) for names in named) == list(range(31, 41))
    assert all(LINK.search(" ".join(page.split())) for page in pages)

    # Ten respondents answer through the links in their e-mails, on a 360 px phone.
    links = {}
    for message in smtp.messages:
        body = message["message"].get_body(preferencelist=("plain",)).get_content()
        links[int(re.search(r"ansatt(\d+)@", message["to"][0]).group(1))] = LINK.search(body).group(
            0
        )
    receipts = {}
    for number in range(1, 11):
        kind = Phone if number == 1 else QuickPhone
        phone = kind(
            browser,
            live,
            axe_source,
            ARTIFACTS / "annual-cycle" / f"respondent-{number:02d}",
            javascript=True,
        )
        receipts[number] = answer_in_chromium(phone, links[number], answers_for(number))
        phone.close()
    assert "Min side" in receipts[1]

    # Reminders go only to the other 30 (those with a channel get a message).
    delivered = len(smtp.messages)
    cli(app, "campaign", "remind", str(campaign_id), "--now")
    cli(app, "outbox", "send")
    reminded_mail = sorted(
        int(re.search(r"ansatt(\d+)@", m["to"][0]).group(1)) for m in smtp.messages[delivered:]
    )
    assert reminded_mail == list(range(11, 17))
    assert len(gateway.requests) == 14 + 14
    with app.app_context():
        reminders = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REMINDER)
        ).all()
        assert sorted(number_of[m.person_id] for m in reminders) == list(range(11, 31))
        assert all(m.status is OutboxStatus.SENT for m in reminders)

    # Response rates per unit.
    with app.app_context():
        from survey.campaigns import rates

        per_unit: Counter = Counter()
        submitted: Counter = Counter()
        from survey.accounts.models import Unit

        codes = {u.id: u.code for u in db.session.scalars(select(Unit))}
        for unit_id, _group, tally in rates.grouped(campaign_id, None):
            per_unit[codes[unit_id]] += tally.invited
            submitted[codes[unit_id]] += tally.submitted
    assert per_unit == Counter(UNITS[n % 3] for n in range(1, 41))
    assert submitted == Counter(UNITS[n % 3] for n in range(1, 11))

    # Each answer is a revision of that person's living document.
    with app.app_context():
        rows = db.session.execute(
            select(LivingDocument.person_id, Revision).join(
                Revision, Revision.document_id == LivingDocument.id
            )
        ).all()
        by_number = {number_of[person_id]: revision for person_id, revision in rows}
        assert sorted(by_number) == list(range(1, 11))
        for number, revision in by_number.items():
            assert revision.source is Source.CAMPAIGN
            assert revision.questionnaire_id == "heltid-arlig"
            expected = "storre" if number <= 4 else ("samme" if number > 7 else None)
            assert revision.data.get("onsket_endring") == expected, (number, revision.data)

    # Those wanting more are on the project leader's follow-up list.
    leader = make_person(app, "prosjektleder", email="leder@kommune.example")
    client = app.test_client()
    login_as(client, app, leader)
    page = client.get("/oppfolging/").get_data(as_text=True)
    for number in range(1, 11):
        shown = f"Ansatt Nummer{number:02d}" in page
        assert shown == (number <= 4), number

    # Booking a conversation sends an .ics that parses.
    person_one = people["A001"]
    form = client.get(f"/oppfolging/{person_one}").get_data(as_text=True)
    token = CSRF_RE.search(form).group(1)
    meeting = day + dt.timedelta(days=3)
    response = client.post(
        f"/oppfolging/{person_one}/samtale",
        data={
            "csrf_token": token,
            "day": meeting.isoformat(),
            "time": "10:00",
            "minutes": "60",
            "place": "Møterom 2, Tunet",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    delivered = len(smtp.messages)
    cli(app, "outbox", "send")
    [booking] = smtp.messages[delivered:]
    assert booking["to"] == ["ansatt1@kommune.example"]
    [ics] = [
        part for part in booking["message"].walk() if part.get_content_type() == "text/calendar"
    ]
    calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.date() == meeting and (start.hour, start.minute) == (10, 0)
    assert "Møterom 2, Tunet" in str(event.get("LOCATION"))
    assert str(event["ORGANIZER"]) == "mailto:heltid@kommune.example"  # MAIL_FROM's address

    # The heltid report counts the new answers.
    report = tmp_path / "heltid.csv"
    cli(app, "report", "heltid", "--scope", "kommune", "--out", str(report))
    text = report.read_text(encoding="utf-8-sig")
    # (The CSV is in bokmål: «Kartlagt 10 av 40 som telles».)
    assert "Kartlagt 10 av 40 som telles" in text, text[:3000]
