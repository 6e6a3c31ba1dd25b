"""Printed invitations (survey/campaigns/letters.py): one page per person who has neither
e-mail nor a reachable mobile (or everyone), with their own link, checked with pdftotext."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from survey.campaigns import letters, messaging
from survey.campaigns.models import Campaign
from survey.db import unit_of_work
from survey.extensions import db
from tests.campaigns import messaging_setup as setup

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "letters"

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def joined(page: str) -> str:
    """The page without line breaks: a long link may wrap."""
    return "".join(page.split())


def _campaign(app, language="nb", mode="identified") -> tuple[int, dict[str, str]]:
    """Four invited: e-mail, mobile, neither, and neither but submitted. Returns the campaign
    id and each person's link by name."""
    app.config["SMS_PROVIDER"] = "console"
    app.config["REPORT_AUTHOR"] = "Songdalen kommune"
    app.config["BASE_URL"] = "https://heltid.songdalen.kommune.no"
    with app.app_context(), unit_of_work():
        campaign = setup.campaign(mode, language=language)
        persons = setup.people(
            [
                ("Ola Epost", "ola@kommune.no", None),
                ("Kari Mobil", None, "+4792345678"),
                ("Per Brev", None, None),
                ("Siv Svart", None, None),
            ]
        )
        invitations = setup.invite(campaign, persons)
        messaging.queue_invitations(campaign, invitations)
        invitations[3].used_on = dt.date(2026, 12, 10)
        return campaign.id, {
            person.name: setup.link_of(invitation)
            for person, invitation in zip(persons, invitations, strict=True)
        }


def test_a_page_for_each_person_without_e_mail_or_mobile(app, tmp_path):
    campaign_id, links = _campaign(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        pdf = letters.letters_pdf(campaign, include_all=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "letter-nb.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    (page,) = pages(pdf, tmp_path)
    assert "Songdalen kommune" in page
    assert "Per Brev" in page and "Hjemmetjenesten" in page
    assert "Hei Per Brev," in page
    assert links["Per Brev"] in joined(page)
    assert "Skann QR-koden" in page
    assert "Svar innen 15. januar 2027." in page
    assert "Spør lederen din hvis du trenger hjelp." in page


def test_all_letters_in_nynorsk_one_page_each_by_unit_and_name(app, tmp_path):
    campaign_id, links = _campaign(app, language="nn")
    app.config["HELP_CONTACT"] = "Personal, tlf. 38 00 00 00"
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        pdf = letters.letters_pdf(campaign, include_all=True)
        assert [p["name"] for p in letters.letters_for(campaign, include_all=True)] == [
            "Kari Mobil",
            "Ola Epost",
            "Per Brev",
        ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "letters-nn.pdf").write_bytes(pdf)
    found = pages(pdf, tmp_path)
    # The one who submitted gets no letter.
    assert len(found) == 3
    for page, name in zip(found, ["Kari Mobil", "Ola Epost", "Per Brev"], strict=True):
        assert f"Hei {name}," in page
        assert links[name] in joined(page)
        assert sum(link in joined(page) for link in links.values()) == 1
        assert "Det tek rundt 5 minutt." in page
        assert "Svar innan 15. januar 2027." in page
        assert "Spørsmål? Kontakt Personal, tlf. 38 00 00 00." in page


def test_the_qr_code_holds_the_link(app):
    link = "https://heltid.songdalen.kommune.no/i/" + "a" * 22
    svg = str(letters.qr_svg(link))
    assert svg.startswith("<svg") and 'class="qr"' in svg


def test_no_one_to_write_to(app, tmp_path):
    with app.app_context(), unit_of_work():
        campaign = setup.campaign()
    with app.app_context():
        pdf = letters.letters_pdf(db.session.get(Campaign, campaign.id))
    (page,) = pages(pdf, tmp_path)
    assert "Det er ingen brev å skrive ut" in page


def test_cli_letters(runner, app, tmp_path):
    campaign_id, links = _campaign(app)
    out = tmp_path / "brev.pdf"
    result = runner.invoke(args=["campaign", "letters", str(campaign_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 letters written to" in result.output
    assert links["Per Brev"] in joined(pages(out.read_bytes(), tmp_path)[0])
    everyone = runner.invoke(
        args=["campaign", "letters", str(campaign_id), "--all", "-o", str(out)]
    )
    assert "3 letters written to" in everyone.output
    assert len(pages(out.read_bytes(), tmp_path)) == 3
