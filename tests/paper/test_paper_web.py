"""The paper version on the campaign page and the command line, and typing in a paper answer
(«Registrer et papirsvar»): only project leaders and administrators; the response is marked
paper and tied to nobody (no invitation, no account, no confidential participation, no living
document), nothing on it is required, and the campaign page counts it. SQLite and
PostgreSQL; pages in English unless a test says otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.answering.helpers import WANTS_MORE, answer_all, invite, make_campaign
from tests.conftest import Respondent, login_as, make_person

ROOT = Path(__file__).resolve().parents[2]


def _staff(app, client, *roles, unit=None, lang="en") -> Respondent:
    person = make_person(app, *roles, unit=unit)
    login_as(client, app, person)
    with client.session_transaction() as session:
        session["lang"] = lang
    return Respondent(client)


@pytest.fixture
def leader(app, client):
    return _staff(app, client, "prosjektleder")


def _responses(app, campaign_id):
    from survey.answering.models import Response
    from survey.extensions import db

    with app.app_context():
        return [
            {
                "id": r.id,
                "channel": r.channel,
                "status": r.status.value,
                "invitation_id": r.invitation_id,
                "invitation_key": r.invitation_key,
                "resume_hash": r.resume_hash,
                "answers": {a.question: a.value for a in r.answers},
            }
            for r in db.session.scalars(
                select(Response).where(Response.campaign_id == campaign_id).order_by(Response.id)
            )
        ]


def _pdf_text(body: bytes, tmp_path: Path) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(body)
    return " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


# --- the PDF ----------------------------------------------------------------------------------


def test_the_campaign_page_offers_the_paper_version_in_three_languages(app, leader, tmp_path):
    campaign_id, _slug = make_campaign(app, "confidential", title="Kartlegging 2027")
    leader.get(f"/kampanjer/{campaign_id}")
    assert leader.last.status_code == 200
    assert "Paper version" in leader.html
    for lang in ("nb", "nn", "en"):
        assert f'href="/kampanjer/{campaign_id}/papir.pdf?lang={lang}"' in leader.html
    assert "Register a paper answer" in leader.html

    response = leader.get(f"/kampanjer/{campaign_id}/papir.pdf?lang=nn")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "papir-" in response.headers["Content-Disposition"]
    text = _pdf_text(response.get_data(), tmp_path)
    assert "Årleg kartlegging av stilling og arbeidstid" in text
    assert "Viss du svarte «Nei»: gå til spørsmål 13." in text
    assert "Side 1 av" in text

    # A language the paper version is not made in: a message, no PDF.
    leader.get(f"/kampanjer/{campaign_id}/papir.pdf?lang=de")
    assert leader.last.status_code == 302
    leader.get(leader.last.headers["Location"])
    assert "The paper version is made in bokmål, nynorsk or English." in leader.html


def test_only_project_leaders_and_administrators_get_the_paper_version(app, tmp_path):
    campaign_id, _slug = make_campaign(app, "anonymous")
    url = f"/kampanjer/{campaign_id}/papir.pdf"
    admin = _staff(app, app.test_client(), "admin")
    assert admin.get(url).status_code == 200
    assert admin.last.mimetype == "application/pdf"
    for roles in [("enhetsleder",), ("tillitsvalgt",), ()]:
        staff = _staff(app, app.test_client(), *roles, unit="omsorg" if roles else None)
        assert staff.get(url).status_code == 403, roles
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302  # to the log-in page
    assert not anonymous.get_data().startswith(b"%PDF")


def test_the_command_writes_the_paper_version(app, runner, tmp_path):
    out = tmp_path / "arlig.pdf"
    result = runner.invoke(
        args=["questionnaires", "paper", "heltid-arlig", "--lang", "nn", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "heltid-arlig v1, nn" in result.output
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "Kor stor er stillinga di?" in text
    assert "Svar på spørsmål 9–12 berre viss" in text

    from_file = tmp_path / "fil.pdf"
    result = runner.invoke(
        args=[
            "questionnaires",
            "paper",
            str(Path(__file__).with_name("gridform.yaml")),
            "--out",
            str(from_file),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Hvor enig er du?" in _pdf_text(from_file.read_bytes(), tmp_path)

    missing = tmp_path / "none.pdf"
    result = runner.invoke(args=["questionnaires", "paper", "finnes-ikke", "--out", str(missing)])
    assert result.exit_code != 0
    assert "unknown questionnaire 'finnes-ikke'" in result.output
    assert not missing.exists()


# --- typing in a paper answer -----------------------------------------------------------------


def _start_paper(leader, campaign_id) -> str:
    leader.get(f"/kampanjer/{campaign_id}")
    leader.post(f"/kampanjer/{campaign_id}/papirsvar")
    assert leader.last.status_code == 302, leader.html
    return leader.last.headers["Location"]


def test_a_paper_answer_is_marked_paper_tied_to_nobody_and_counted(app, leader):
    from survey.answering.models import ConfidentialParticipation
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    campaign_id, slug = make_campaign(app, "confidential", title="Kartlegging 2027")
    first = _start_paper(leader, campaign_id)
    assert first.endswith(f"/s/{slug}/side/stilling")
    leader.get(first)
    assert "You are typing in a paper answer." in leader.html
    assert "A new paper answer: type in the answers exactly as they are on the form." in leader.html
    # Nothing is required on paper: the page goes on with questions left blank.
    leader.answer_page({"stillingsprosent": "100", "enhet": "hjemmetjenesten"})
    assert leader.last.status_code == 302, leader.html
    assert leader.last.headers["Location"].endswith(f"/s/{slug}/side/onske")
    leader.get(leader.last.headers["Location"])
    leader.answer_page({})
    assert leader.last.headers["Location"].endswith(f"/s/{slug}/side/avslutning")
    leader.get(leader.last.headers["Location"])
    leader.answer_page({"onsker_samtale": "no"})
    assert leader.last.headers["Location"].endswith(f"/s/{slug}/oppsummering")
    leader.get(leader.last.headers["Location"])
    assert "You are typing in a paper answer." in leader.html
    leader.post(f"/s/{slug}/send")
    assert leader.last.headers["Location"].endswith(f"/s/{slug}/kvittering")
    leader.get(leader.last.headers["Location"])
    assert "The paper answer is saved, without a name." in leader.html
    assert "Register a new paper answer" in leader.html

    [stored] = _responses(app, campaign_id)
    assert stored["channel"] == "paper"
    assert stored["status"] == "submitted"
    assert stored["invitation_id"] is None
    assert stored["invitation_key"] is None
    assert stored["resume_hash"] is None
    assert stored["answers"] == {
        "enhet": "hjemmetjenesten",
        "stillingsprosent": 100,
        "onsker_samtale": "no",
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConfidentialParticipation)) == 0
        logged = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == stored["id"])
        ).all()
        assert logged == []

    # The next form, from the receipt: a second response, also on paper.
    leader.post(f"/kampanjer/{campaign_id}/papirsvar")
    assert leader.last.headers["Location"].endswith(f"/s/{slug}/side/stilling")
    assert sorted((r["status"], r["channel"]) for r in _responses(app, campaign_id)) == [
        ("draft", "paper"),
        ("submitted", "paper"),
    ]

    leader.get(f"/kampanjer/{campaign_id}")
    assert "1 answer received in all" in leader.html
    assert "1 of them on paper" in leader.html


def test_a_paper_draft_not_sent_is_continued_not_doubled(app, leader):
    campaign_id, slug = make_campaign(app, "anonymous")
    _start_paper(leader, campaign_id)
    leader.get(f"/s/{slug}/side/stilling")
    leader.answer_page({"enhet": "iks"})
    leader.get(f"/kampanjer/{campaign_id}")
    leader.post(f"/kampanjer/{campaign_id}/papirsvar")
    assert leader.last.status_code == 302
    assert len(_responses(app, campaign_id)) == 1


def test_an_identified_campaigns_paper_answer_updates_no_living_document(app, leader):
    from survey.extensions import db
    from survey.living.models import LivingDocument

    campaign_id, slug = make_campaign(app, "identified")
    first = _start_paper(leader, campaign_id)
    leader.get(first)
    leader.answer_page({"enhet": "iks", "stillingsprosent": "50"})
    path = leader.last.headers["Location"]
    for _ in range(10):
        if not path.endswith(tuple(f"/side/{n}" for n in WANTS_MORE)):
            break
        leader.get(path)
        leader.answer_page({})
        path = leader.last.headers["Location"]
    assert path.endswith("/oppsummering"), path
    leader.get(path)
    leader.post(f"/s/{slug}/send")
    leader.get(leader.last.headers["Location"])
    assert "The paper answer is saved, without a name." in leader.html
    assert "What we have recorded about you" not in leader.html
    [stored] = _responses(app, campaign_id)
    assert (stored["channel"], stored["status"], stored["invitation_id"]) == (
        "paper",
        "submitted",
        None,
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LivingDocument)) == 0

    leader.get(f"/kampanjer/{campaign_id}")
    assert "It updates nobody's information." in leader.html


def test_answers_through_links_stay_web(app, client):
    respondent = Respondent(client)
    campaign_id, slug = make_campaign(app, "confidential")
    token = invite(app, campaign_id)
    answer_all(respondent, token, slug, WANTS_MORE)
    assert [r["channel"] for r in _responses(app, campaign_id)] == ["web"]
    assert "Register a new paper answer" not in respondent.html


def test_only_project_leaders_and_administrators_type_in_paper_answers(app):
    campaign_id, slug = make_campaign(app, "anonymous")
    admin = _staff(app, app.test_client(), "admin")
    assert _start_paper(admin, campaign_id).endswith(f"/s/{slug}/side/stilling")
    assert len(_responses(app, campaign_id)) == 1

    # The access policy refuses them, whatever the CSRF token (off here, so that it is the
    # policy that answers).
    app.config["WTF_CSRF_ENABLED"] = False
    for roles in [("enhetsleder",), ("verneombud",), ()]:
        staff = _staff(app, app.test_client(), *roles, unit="omsorg" if roles else None)
        staff.post(f"/kampanjer/{campaign_id}/papirsvar", with_csrf=False)
        assert staff.last.status_code == 403, roles
    anonymous = app.test_client().post(f"/kampanjer/{campaign_id}/papirsvar")
    assert anonymous.status_code == 401  # a POST without a session: sign in first
    assert len(_responses(app, campaign_id)) == 1


def test_no_paper_answers_while_the_survey_is_closed(app, leader):
    from survey.campaigns.models import Campaign
    from survey.db import unit_of_work
    from survey.extensions import db

    campaign_id, _slug = make_campaign(app, "anonymous")
    with app.app_context(), unit_of_work():
        db.session.get(Campaign, campaign_id).is_open = False
    leader.get(f"/kampanjer/{campaign_id}")
    assert "Register a paper answer" not in leader.html
    assert "paper answers can be typed in while it is open" in leader.html
    leader.post(f"/kampanjer/{campaign_id}/papirsvar")
    assert leader.last.status_code == 302
    leader.get(leader.last.headers["Location"])
    assert "paper answers can be typed in while it is open" in leader.html
    assert _responses(app, campaign_id) == []
