"""Invitation texts (survey/campaigns/messaging.py): defaults true to the campaign's mode and
schedule, in its language; edited texts validated; SMS in one message; invitations queued in
the outbox by the channel the roster allows."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from survey.campaigns import messaging
from survey.campaigns.models import Channel
from survey.db import unit_of_work
from survey.outbox.models import MessageKind
from tests.campaigns import messaging_setup as setup

# A realistic production address: the link is then 60 characters, as in messaging's notes.
LONG_BASE_URL = "https://heltid.songdalen.kommune.no"


def test_default_texts_in_bokmal_for_an_identified_campaign(app):
    with app.app_context(), unit_of_work():
        app.config["HELP_CONTACT"] = "personalkontoret, 38 00 00 00"
        campaign = setup.campaign("identified")
        texts = messaging.preview(campaign, "nb")

    body = texts["invitation_body"]["text"]
    assert body.startswith("Hei Kari Nordmann,")
    assert "Du er invitert til å svare på «Kartlegging 2027». Det tar rundt 5 minutter." in body
    assert "«Min side»" in body and "større stillinger" in body
    assert "http://localhost:5000/i/xxxxxxxxxxxxxxxxxxxxxx" in body
    assert "Svar innen 15. januar 2027." in body
    assert "Spørsmål? Kontakt personalkontoret, 38 00 00 00." in body
    assert texts["invitation_subject"]["text"] == "Invitasjon: Kartlegging 2027"
    assert texts["reminder_subject"]["text"] == "Påminnelse: Kartlegging 2027"
    assert "ennå" in texts["reminder_body"]["text"]
    assert "fortsett der du slapp" in texts["continue_body"]["text"]
    assert texts["invitation_sms"]["text"] == (
        "Svar på en kort undersøkelse fra kommunen (ca. 5 min). Svar innen 15. januar 2027: "
        "http://localhost:5000/i/xxxxxxxxxxxxxxxxxxxxxx"
    )
    assert not any(entry["problems"] for entry in texts.values())
    assert not any(re.search(r"\{\w+\}", entry["text"]) for entry in texts.values())


def test_texts_are_true_to_the_mode(app):
    with app.app_context(), unit_of_work():
        anonymous = messaging.preview(setup.campaign("anonymous"), "nb")
        confidential = messaging.preview(setup.campaign("confidential"), "nb")

    assert "anonyme" in anonymous["invitation_body"]["text"]
    assert "anonym" in anonymous["invitation_sms"]["text"]
    assert "Min side" not in anonymous["invitation_body"]["text"]
    assert "konfidensielle" in confidential["invitation_body"]["text"]
    assert "Min side" not in confidential["reminder_body"]["text"]
    assert "anonym" not in confidential["invitation_sms"]["text"]


def test_without_a_close_date_or_help_the_texts_still_read_well(app):
    with app.app_context(), unit_of_work():
        texts = messaging.preview(setup.campaign(closes_on=None), "nb")

    body = texts["invitation_body"]["text"]
    assert "Svar innen" not in body and "Spørsmål?" not in body
    assert body.rstrip().endswith("Ikke send den videre.")
    assert texts["invitation_sms"]["text"].endswith("Svar her: http://localhost:5000/i/" + "x" * 22)
    assert "Fortsett her:" in texts["continue_sms"]["text"]


def test_nynorsk_campaign_writes_nynorsk(app):
    with app.app_context(), unit_of_work():
        campaign = setup.campaign(language="nn", closes_on=dt.date(2027, 9, 30))
        texts = messaging.preview(campaign, campaign.language)

    body = texts["invitation_body"]["text"]
    assert "Kartlegging 2027 (nynorsk)" in body
    assert "Det tek rundt 5 minutt." in body
    assert "Svara dine blir lagra med namnet ditt" in body
    assert "Svar innan 30. september 2027." in body
    assert texts["reminder_subject"]["text"] == "Påminning: Kartlegging 2027 (nynorsk)"
    assert texts["continue_sms"]["text"].startswith(
        "Du har byrja på undersøkinga, men ikkje sendt ho. Hald fram innan 30. september 2027:"
    )


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_default_sms_fit_one_message_with_a_long_link_and_date(app, lang):
    app.config["BASE_URL"] = LONG_BASE_URL
    with app.app_context(), unit_of_work():
        for mode in ("identified", "confidential", "anonymous"):
            campaign = setup.campaign(mode, language=lang, closes_on=dt.date(2027, 9, 30))
            for key, entry in messaging.preview(campaign, lang).items():
                if not entry["sms"]:
                    continue
                assert len(messaging.link_for("x" * 22)) == 60
                length, limit, outside = messaging.sms_length(entry["text"])
                assert outside == [], (lang, mode, key, entry["text"])
                assert limit == 160 and length <= 160, (lang, mode, key, length, entry["text"])
                assert entry["length"] == length and entry["problems"] == []


def test_sms_length_counts_gsm7(app):
    assert messaging.sms_length("Blåbærsyltetøy") == (14, 160, [])
    assert messaging.sms_length("Pris: 5 €")[0] == 10  # € is an extension character
    assert messaging.sms_length("Svar på «undersøkelsen»") == (23, 70, ["«", "»"])


def _codes(problems):
    return [(problem.item, problem.code) for problem in problems]


def test_edited_texts_are_validated_and_nothing_is_saved_on_a_problem(app):
    with app.app_context(), unit_of_work():
        campaign = setup.campaign()
        problems = messaging.set_texts(
            campaign,
            "nb",
            {
                "invitation_subject": "Hei {navn}",
                "invitation_body": "Hei {name}, svar snart.",
                "reminder_body": "Svar her: {link} {",
                "invitation_sms": "Hei! " * 30 + "{link}",
                "reminder_sms": "Svar på «skjemaet» om stillingen din innen fristen: {link}",
            },
        )
        assert campaign.texts == {}
        english = [str(problem) for problem in problems]

    assert _codes(problems) == [
        ("invitation_subject", "text_unknown_placeholder"),
        ("invitation_body", "text_missing_link"),
        ("reminder_body", "text_stray_brace"),
        ("invitation_sms", "sms_too_long"),
        ("reminder_sms", "sms_not_gsm"),
    ]
    assert english[0] == (
        "{navn} is not a placeholder. The placeholders are {link}, {closes_on}, {title}, "
        "{name}, {help}."
    )
    assert english[3] == (
        "The SMS is 196 characters with the link; at most 160 fit in one message."
    )
    assert english[4].startswith("« » makes the SMS a long one: with it at most 70 characters")


def test_problem_messages_in_norwegian(app):
    with app.test_request_context(headers={"Accept-Language": "nb"}), unit_of_work():
        campaign = setup.campaign(closes_on=None)
        problems = messaging.set_texts(campaign, "nb", {"invitation_sms": "Frist {closes_on}"})
        texts = [problem.message() for problem in problems]
    assert texts == [
        "Teksten må inneholde {link}: den personlige lenken.",
        "Undersøkelsen har ingen sluttdato, så {closes_on} kan ikke fylles inn.",
    ]


def test_an_edited_text_is_used_and_an_empty_one_goes_back_to_the_default(app):
    with app.app_context(), unit_of_work():
        campaign = setup.campaign()
        assert (
            messaging.set_texts(
                campaign,
                "nb",
                {
                    "invitation_subject": "  {title}:\n svar innen {closes_on} ",
                    "invitation_sms": "Hei! Svar innen {closes_on}: {link}",
                },
            )
            == []
        )
        assert campaign.texts == {
            "nb": {
                "invitation_subject": "{title}: svar innen {closes_on}",
                "invitation_sms": "Hei! Svar innen {closes_on}: {link}",
            }
        }
        texts = messaging.preview(campaign, "nb")
        assert texts["invitation_subject"]["text"] == "Kartlegging 2027: svar innen 15. januar 2027"
        assert texts["invitation_subject"]["edited"] and not texts["invitation_body"]["edited"]
        # The other language keeps its defaults.
        assert messaging.preview(campaign, "nn")["invitation_subject"]["text"].startswith(
            "Invitasjon:"
        )
        assert messaging.set_texts(campaign, "nb", {"invitation_subject": ""}) == []
        default_sms = messaging.default_texts(campaign, "nb")["invitation_sms"]
        assert messaging.set_texts(campaign, "nb", {"invitation_sms": default_sms}) == []
        assert campaign.texts == {}


def test_queue_invitations_by_email_sms_or_letter(app):
    app.config["SMS_PROVIDER"] = "console"
    with app.app_context(), unit_of_work():
        campaign = setup.campaign("identified")
        ola, kari, per, left = setup.people(
            [
                ("Ola Normann", "ola@kommune.no", "+4791234567"),
                ("Kari Nordmann", None, "+4792345678"),
                ("Per Hansen", None, None),
                ("Gone Person", "gone@kommune.no", None),
            ]
        )
        left.left_roster_on = dt.date(2026, 11, 1)
        invitations = setup.invite(campaign, [ola, kari, per, left])
        result = messaging.queue_invitations(campaign, invitations)
        messages = setup.outbox()
        links = [setup.link_of(invitation) for invitation in invitations]
        channels = [invitation.channel for invitation in invitations]

    assert result == messaging.QueueResult(email=1, sms=1, letter=1, skipped=1)
    assert channels[:3] == [Channel.EMAIL, Channel.SMS, Channel.LETTER]
    assert [(m.channel, m.recipient, m.kind) for m in messages] == [
        (Channel.EMAIL, "ola@kommune.no", MessageKind.INVITATION),
        (Channel.SMS, "+4792345678", MessageKind.INVITATION),
    ]
    email, sms = messages
    assert email.subject == "Invitasjon: Kartlegging 2027"
    assert email.body.startswith("Hei Ola Normann,")
    assert links[0] in email.body and email.language == "nb"
    assert sms.body.endswith(links[1]) and "Kari" not in sms.body
    assert (email.person_id, email.invitation_id) == (ola.id, invitations[0].id)


def test_without_an_sms_service_a_mobile_number_gets_a_letter(app):
    app.config["SMS_PROVIDER"] = None
    with app.app_context(), unit_of_work():
        campaign = setup.campaign()
        (kari,) = setup.people([("Kari Nordmann", None, "+4792345678")])
        (invitation,) = setup.invite(campaign, [kari])
        result = messaging.queue_invitations(campaign, [invitation])
        assert invitation.channel is Channel.LETTER
        assert setup.outbox() == []
    assert result == messaging.QueueResult(letter=1)


def test_cli_create_with_schedule_and_print_texts(runner, app):
    created = runner.invoke(
        args=[
            "campaign",
            "create",
            "--questionnaire",
            "heltid-arlig",
            "--mode",
            "identified",
            "--title",
            "Kartlegging 2027",
            "--opens",
            "2026-12-01",
            "--closes",
            "2027-01-15",
            "--remind",
            "3",
            "--remind",
            "7",
            "--language",
            "nn",
        ]
    )
    assert created.exit_code == 0, created.output
    campaign_id = int(re.search(r"campaign (\d+)", created.output).group(1))
    with app.app_context():
        campaign = messaging.db.session.get(messaging.Campaign, campaign_id)
        assert (campaign.opens_on, campaign.closes_on) == (dt.date(2026, 12, 1), CLOSES_ON)
        assert campaign.reminder_days == [7, 3] and campaign.language == "nn"

    printed = runner.invoke(args=["campaign", "texts", str(campaign_id)])
    assert printed.exit_code == 0, printed.output
    assert "== invitation_sms (" in printed.output and "/160 characters)" in printed.output
    assert "Svar innan 15. januar 2027" in printed.output

    bad = runner.invoke(
        args=[
            "campaign",
            "create",
            "--questionnaire",
            "heltid-arlig",
            "--mode",
            "identified",
            "--opens",
            "2027-01-15",
            "--closes",
            "2027-01-01",
        ]
    )
    assert bad.exit_code != 0 and "--closes is before --opens" in bad.output
    no_close = runner.invoke(
        args=["campaign", "create", "--questionnaire", "heltid-arlig", "--mode", "identified"]
        + ["--remind", "3"]
    )
    assert no_close.exit_code != 0 and "--remind needs --closes" in no_close.output
    zero = runner.invoke(
        args=["campaign", "create", "--questionnaire", "heltid-arlig", "--mode", "identified"]
        + ["--closes", "2027-01-15", "--remind", "0"]
    )
    assert zero.exit_code != 0 and "--remind takes whole days" in zero.output


CLOSES_ON = setup.CLOSES


def test_invitations_before_the_opening_day_wait_in_the_outbox(app):
    opens = dt.date.today() + dt.timedelta(days=5)
    with app.app_context(), unit_of_work():
        campaign = setup.campaign(opens_on=opens, closes_on=opens + dt.timedelta(days=20))
        (ola,) = setup.people([("Ola Normann", "ola@kommune.no", None)])
        messaging.queue_invitations(campaign, setup.invite(campaign, [ola]))
        (message,) = setup.outbox()
        due = message.next_attempt_at.replace(tzinfo=message.next_attempt_at.tzinfo or dt.UTC)
    # 08:00 in Oslo on the first day: 07:00 UTC in winter, 06:00 in summer.
    oslo = due.astimezone(ZoneInfo("Europe/Oslo"))
    assert (oslo.date(), oslo.hour, oslo.minute) == (opens, 8, 0)


def test_a_subject_must_fit_its_column(app):
    with app.app_context(), unit_of_work():
        campaign = setup.campaign()
        problems = messaging.set_texts(campaign, "nb", {"reminder_subject": "{title} " + "x" * 290})
        with pytest.raises(ValueError, match="no such language"):
            messaging.set_texts(campaign, "se", {"reminder_subject": "Hei"})
    assert [str(problem) for problem in problems] == ["at most 300 characters"]
