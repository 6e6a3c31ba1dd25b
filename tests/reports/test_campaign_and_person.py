"""The campaign results report, a person's living document as PDF, and the download pages.

The campaign: «arbeidsmiljo», confidential, 40 invited, 30 answered: 12 from Home care, 15
from Care centre A and 3 from Mental health (below K = 5, hidden; so is the next smallest unit,
12, or the total would give it away). «trivsel»: 3: 5, 4: 10, 5: 10, 6: 5 (16.7 %, 33.3 %,
33.3 %, 16.7 %), mean 135/30 = 4.5. Response rate 30/40 = 75.0 %."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from survey.accounts.models import Person, Unit
from survey.answering.models import Answer, Response, Status
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from survey.questionnaires.services import latest_version
from tests.conftest import login_as, make_person

SECRET_COMMENT = "Hemmelig kommentar om vaktene"
UNITS = {"hjemmetjenesten": 12, "omsorgssenter_a": 15, "psykisk_helse_og_rus": 3}
TRIVSEL = [3] * 5 + [4] * 10 + [5] * 10 + [6] * 5
NOTE_IN_DOCUMENT = "Notat som ikke skal til utvalget"
NOTE_ON_REVISION = "Revisjonsnotat fra samtalen"


def pdf_text(data: bytes, tmp_path, name="report.pdf", *, layout=True) -> str:
    """The text of a PDF: laid out as on the page (table rows on one line), or in reading
    order (a cell's wrapped lines together)."""
    path = tmp_path / name
    path.write_bytes(data)
    options = ["-layout"] if layout else []
    text = subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"[ \t]+", " ", text)


@pytest.fixture
def campaign_id(app):
    with app.app_context():
        version = latest_version("arbeidsmiljo")
        campaign = Campaign(
            slug="rapport", questionnaire_id="arbeidsmiljo", mode=Mode.CONFIDENTIAL, title="AMU"
        )
        db.session.add(campaign)
        db.session.flush()
        for number in range(40):
            db.session.add(Invitation(campaign_id=campaign.id, token_hash=f"{number:064d}"))
        units = [unit for unit, count in UNITS.items() for _ in range(count)]
        for index, (unit, trivsel) in enumerate(zip(units, TRIVSEL, strict=True)):
            response = Response(
                campaign_id=campaign.id,
                questionnaire_version_id=version.id,
                status=Status.SUBMITTED,
                submitted_on=dt.date(2025, 3, 1),
            )
            db.session.add(response)
            db.session.flush()
            answers = {"enhet": unit, "trivsel": trivsel, "ledelse": 4}
            if index % 10 == 0:
                answers["kommentar"] = SECRET_COMMENT
            db.session.add_all(
                Answer(response_id=response.id, question=name, value=value)
                for name, value in answers.items()
            )
        draft = Response(campaign_id=campaign.id, questionnaire_version_id=version.id)
        db.session.add(draft)  # drafts are not counted
        db.session.commit()
        return campaign.id


def campaign_pdf(runner, tmp_path, campaign_id, *extra) -> str:
    out = tmp_path / "campaign.pdf"
    result = runner.invoke(
        args=["report", "campaign", str(campaign_id), "--lang", "en", "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return pdf_text(out.read_bytes(), tmp_path)


def test_campaign_report_figures(runner, tmp_path, campaign_id):
    text = campaign_pdf(runner, tmp_path, campaign_id)
    lines = {line.strip() for line in text.splitlines()}
    assert "Response rate 75.0% (30 of 40 invited)" in lines
    assert "Answers 30" in lines
    # «trivsel» is a statement of a Likert grid: its row has N, the percent of every scale
    # point and the mean (the statement wraps in its column; the numbers are on its first line).
    assert "How much do you agree with each statement? (N = 30)" in text
    assert re.search(
        r"All in all, I am happy[^\n]* 30 0\.0% 0\.0% 16\.7% 33\.3% 33\.3% 16\.7% 4\.5\n", text
    )
    assert "All in all, I am happy with my work and my work situation. (N = 30)" in lines  # chart
    assert "All in all, I am happy with my work and my work situation. 30 4.5 50.0%" in lines
    # By unit: 3 answers are hidden, and so is the next smallest unit.
    assert "Mental health and substance abuse –* –*" in lines
    assert "Home care services –* –*" in lines
    assert "Care centre A 15 50.0%" in lines
    assert "Care centre A 15 4.0" in lines  # «ledelse»: everyone answered 4
    assert SECRET_COMMENT not in text


def test_campaign_report_free_text_only_when_asked(runner, tmp_path, campaign_id):
    text = campaign_pdf(runner, tmp_path, campaign_id, "--include-free-text")
    assert "Free-text answers" in text
    assert text.count(SECRET_COMMENT) == 3


def test_campaign_csv_has_the_same_cells(runner, tmp_path, campaign_id):
    out = tmp_path / "campaign.csv"
    result = runner.invoke(
        args=["report", "campaign", str(campaign_id), "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert (
        "All in all, I am happy with my work and my work situation.;30;0,0;0,0;16,7;33,3;33,3;16,7;4,5"
        in rows
    )
    assert "Mental health and substance abuse;–;–" in rows


def test_too_few_answers_show_nothing(app, runner, tmp_path, campaign_id):
    app.config["SMALL_GROUP_MINIMUM"] = 31
    text = campaign_pdf(runner, tmp_path, campaign_id)
    assert "Fewer than 31 answers: no results are shown" in text
    assert "Mean" not in text


# --- the person's living document ---------------------------------------------------------


@pytest.fixture
def person_id(app):
    """An involuntary part-timer (Songdalen: part time and wants more) with health
    and family among the reasons, a note in the record and a note on the second revision."""
    with app.app_context():
        unit = Unit(code="hjemmetjenesten", name="Hjemmetjenesten")
        db.session.add(unit)
        db.session.flush()
        person = Person(name="Kari Nordmann", ansattnummer="5001", unit_id=unit.id)
        db.session.add(person)
        db.session.flush()
        document = services.document_for(person)
        first = {
            "enhet": "hjemmetjenesten",
            "yrkesgruppe": "helsefagarbeider",
            "ansettelsesform": "fast",
            "leder": "no",
            "stillingsprosent": 50,
            "onsket_endring": "storre",
            "onsket_prosent": 80,
            "villig_helger": "hver_3",
            "villig_langvakter": "yes",
            "villig_andre_enheter": "annen_enhet",
            "tar_ledige_vakter": "yes",
            "ubundet_tid": "no",
            "venter_barnehageplass": "yes",
            "arsaker_deltid": ["helse", "omsorg", "ikke_tilbudt"],
            "notater": NOTE_IN_DOCUMENT,
        }
        services.save_revision(
            document,
            first,
            base=0,
            author=None,
            author_role="import",
            source=Source.IMPORT,
            effective_on=dt.date(2024, 6, 1),
        )
        services.save_revision(
            document,
            {**first, "stillingsprosent": 60, "arsaker_deltid": ["helse", "ikke_tilbudt"]},
            base=1,
            author=None,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
            effective_on=dt.date(2025, 2, 1),
            note=NOTE_ON_REVISION,
        )
        db.session.commit()
        return person.id


HEALTH = "Health or reduced capacity for work"
FAMILY = "Children or other care duties"
OFFERED = "Has not been offered a larger position"


def person_pdf(runner, tmp_path, audience) -> str:
    out = tmp_path / f"person-{audience}.pdf"
    result = runner.invoke(
        args=["report", "person", "5001", "--lang", "en", "--audience", audience]
        + ["--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return " ".join(pdf_text(out.read_bytes(), tmp_path, f"{audience}.pdf", layout=False).split())


def test_person_pdf_for_the_employee(runner, tmp_path, person_id):
    text = person_pdf(runner, tmp_path, "employee")
    assert "Kari Nordmann" in text
    assert "Current state" in text
    assert "How large is your position today? 60 %" in text  # their own copy says «you»
    assert "How large is their position today?" not in text
    assert "counts as: Involuntary part time." in text  # the classification in plain words
    assert "Version 2, in force from February 1, 2025" in text  # the history summary
    assert "50 % → 60 %" in text
    assert HEALTH in text and FAMILY in text
    assert NOTE_IN_DOCUMENT in text and NOTE_ON_REVISION in text


def test_committee_pdf_has_no_health_or_family_reasons_or_notes(runner, tmp_path, person_id):
    text = person_pdf(runner, tmp_path, "committee")
    assert "How large is their position today? 60 %" in text
    assert "Involuntary part time" in text
    assert OFFERED in text
    assert "50 % → 60 %" in text
    for secret in (HEALTH, FAMILY, "kindergarten", NOTE_IN_DOCUMENT, NOTE_ON_REVISION):
        assert secret not in text, secret


def test_committee_fields_are_an_allow_list():
    from survey.reporting.person_report import AUDIENCES, COMMITTEE, visible_data

    shown = visible_data(
        {
            "arsaker_deltid": ["helse", "omsorg"],
            "arsak_mindre": ["omsorg", "for_toft"],
            "venter_barnehageplass": "yes",
            "kommentar": "x",
            "nytt_felt": "y",
            "stillingsprosent": 40,
        },
        AUDIENCES[COMMITTEE],
    )
    assert shown == {"arsak_mindre": ["for_toft"], "stillingsprosent": 40}


# --- downloads on the web -----------------------------------------------------------------


def audit_entries(app, object_type):
    from sqlalchemy import select

    with app.app_context():
        return db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == object_type)
        ).all()


def test_person_pdf_download_is_checked_and_logged(app, client, tmp_path, person_id):
    leader = make_person(app, "enhetsleder", unit="hjemmetjenesten")
    login_as(client, app, leader)
    page = client.get(f"/personer/{person_id}").get_data(as_text=True)
    assert f"/rapporter/personer/{person_id}?audience=committee" in page
    response = client.get(f"/rapporter/personer/{person_id}?audience=committee&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="levende-dokument-5001-utvalg.pdf"'
    )
    text = " ".join(pdf_text(response.data, tmp_path, layout=False).split())
    assert HEALTH not in text
    assert "Not included: your role shows current records only." in text  # no history
    [entry] = audit_entries(app, "person_report")
    assert (entry.action, entry.actor_id, entry.subject_id) == ("download", leader, person_id)
    assert entry.detail["audience"] == "committee"

    other = make_person(app, "enhetsleder", unit="omsorgssenter_a")
    login_as(client, app, other)
    assert client.get(f"/rapporter/personer/{person_id}").status_code == 404
    assert len(audit_entries(app, "person_report")) == 1


def test_employee_gets_only_their_own_pdf(app, client, tmp_path, person_id):
    with app.app_context():
        person = db.session.get(Person, person_id)
        person.email = "kari@example.no"
        db.session.commit()
    login_as(client, app, person_id)
    assert "/rapporter/meg" in client.get("/meg/").get_data(as_text=True)
    response = client.get("/rapporter/meg?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('levende-dokument-5001.pdf"')
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(pdf_text(response.data, tmp_path, layout=False).split())
    assert HEALTH in text and NOTE_ON_REVISION in text
    assert client.get(f"/rapporter/personer/{person_id}").status_code == 403
    assert client.get("/rapporter/").status_code == 403
    [entry] = audit_entries(app, "person_report")
    assert entry.actor_id == entry.subject_id == person_id


def test_tillitsvalgt_gets_aggregates_but_no_person_pdf(app, client, tmp_path, campaign_id):
    tillitsvalgt = make_person(app, "tillitsvalgt")
    login_as(client, app, tillitsvalgt)
    page = client.get("/rapporter/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="kommune"' in html
    assert f"/rapporter/kampanjer/{campaign_id}" in html
    results = client.get("/resultater/").get_data(as_text=True)
    assert f"/rapporter/kampanjer/{campaign_id}" in results

    response = client.get(f"/rapporter/kampanjer/{campaign_id}?lang=en&format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="resultater-{campaign_id}.pdf"'
    )
    assert "All in all, I am happy with my work and my work situation. 30 4.5 50.0%" in pdf_text(
        response.data, tmp_path
    )
    xlsx = client.get(f"/rapporter/kampanjer/{campaign_id}?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert xlsx.data[:2] == b"PK"
    [first, second] = audit_entries(app, "campaign_report")
    assert (first.action, first.actor_id) == ("export", tillitsvalgt)
    assert {first.detail["format"], second.detail["format"]} == {"pdf", "xlsx"}

    heltid = client.get("/rapporter/heltid?scope=kommune&as_of=2025-12-31&format=csv&lang=en")
    assert heltid.status_code == 200
    assert heltid.mimetype == "text/csv"
    assert heltid.headers["Content-Disposition"] == (
        'attachment; filename="heltid-kommune-2025-12-31.csv"'
    )
    [entry] = audit_entries(app, "heltid_report")
    assert entry.detail["format"] == "csv" and entry.object_id == "kommune"

    assert client.get("/rapporter/personer/1").status_code == 403


def test_unit_leader_gets_only_their_units(app, client, campaign_id):
    leader = make_person(app, "enhetsleder", unit="omsorgssenter_a")
    make_person(app, "enhetsleder", unit="hjemmetjenesten")
    with app.app_context():
        from sqlalchemy import select

        ids = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    login_as(client, app, leader)
    html = client.get("/rapporter/").get_data(as_text=True)
    assert 'value="kommune"' not in html
    assert f'value="{ids["omsorgssenter_a"]}"' in html
    assert f'value="{ids["hjemmetjenesten"]}"' not in html
    ok = client.get(f"/rapporter/heltid?scope={ids['omsorgssenter_a']}&format=xlsx")
    assert ok.status_code == 200
    assert ok.headers["Content-Disposition"].startswith(
        'attachment; filename="heltid-omsorgssenter_a-'
    )
    assert (
        client.get(f"/rapporter/heltid?scope={ids['hjemmetjenesten']}&format=pdf").status_code
        == 404
    )
    assert client.get("/rapporter/heltid?scope=kommune&format=pdf").status_code == 404
    assert len(audit_entries(app, "heltid_report")) == 1
    # The campaign report holds the answers from their own unit only.
    response = client.get(f"/rapporter/kampanjer/{campaign_id}?format=csv&lang=en")
    rows = response.data.decode("utf-8-sig").splitlines()
    assert "Care centre A;15;100,0" in rows
    assert not any(row.startswith("Home care services") for row in rows)


def test_bad_input_changes_nothing(app, client):
    admin = make_person(app, "admin")
    login_as(client, app, admin)
    page = client.get(
        "/rapporter/heltid?scope=kommune&as_of=31.12&format=pdf",
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 400
    assert "Write the date as YYYY-MM-DD." in page.get_data(as_text=True)
    assert client.get("/rapporter/heltid?scope=kommune").status_code == 400
    assert audit_entries(app, "heltid_report") == []
