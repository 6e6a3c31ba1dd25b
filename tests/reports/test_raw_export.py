"""Issue 14, part 6: a campaign's raw data as CSV, XLSX, SPSS .sav and Stata .dta.

The campaign (anonymous unless a test says otherwise) answers the questionnaire below. K = 5.
Units, counted by hand: «nord» 5 responses, «sor» 6, «liten» 2 (below K: left out), so the
files hold 11 rows and say «2 answers … are left out».

Every response of unit «nord» (i = 0..4) and «sor» (i = 0..5) answers:
- yrke: sykepleier when i is even, else annet with yrke_annet «Kokk»
- vakter: [dag, natt] when i is even, else [kveld]; the first «nord» response leaves it out
- stilling 62.5 (percent), barn i (integer), startdato 2024-08-01, trivsel i % 5 + 1,
  heltid yes when i is even, else no; kommentar «=1+1» (a formula) on «sor» i = 0.
Submitted 2025-03-01 (nord) and 2025-03-02 (sor); the «liten» pair 2025-03-03."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey import engine
from survey.accounts.models import Person
from survey.answering.models import Answer, Response, Status
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.extensions import db
from survey.questionnaires.services import latest_version, sync_definition
from survey.reporting.raw_data import RawDataRefused, Submitted, build, safe_name
from tests.conftest import login_as, make_person

BOM = b"\xef\xbb\xbf"
FORM = """
id: radata-test
version: 1
title: {nb: "Testskjema", nn: "Testskjema", en: "Test form"}
default_mode: anonymous
pages:
  - name: side1
    title: {nb: "Side 1", en: "Page 1"}
    questions:
      - name: info
        type: note
        label: {nb: "Bare en merknad", en: "Just a note"}
      - name: enhet
        type: select_one
        label: {nb: "Hvor jobber du?", en: "Where do you work?"}
        choices:
          - {value: nord, label: {nb: "Nord", en: "North"}}
          - {value: sor, label: {nb: "Sør", en: "South"}}
          - {value: liten, label: {nb: "Liten enhet", en: "Small unit"}}
      - name: yrke
        type: select_one
        label: {nb: "Yrke", en: "Occupation"}
        other: true
        choices:
          - {value: sykepleier, label: {nb: "Sykepleier", en: "Nurse"}}
          - {value: helsefagarbeider, label: {nb: "Helsefagarbeider", en: "Health worker"}}
      - name: vakter
        type: select_multiple
        label: {nb: "Hvilke vakter går du?", en: "Which shifts do you work?"}
        choices:
          - {value: dag, label: {nb: "Dag", en: "Day"}}
          - {value: kveld, label: {nb: "Kveld", en: "Evening"}}
          - {value: natt, label: {nb: "Natt", en: "Night"}}
      - name: stilling
        type: percent
        label: {nb: "Stillingsprosent", en: "Position size"}
      - name: barn
        type: integer
        label: {nb: "Antall barn", en: "Number of children"}
      - name: startdato
        type: date
        label: {nb: "Startdato", en: "Start date"}
      - name: trivsel
        type: likert
        scale: "1-5"
        label: {nb: "Jeg trives på jobben", en: "I am happy at work"}
      - name: heltid
        type: yes_no
        label: {nb: "Ønsker du heltid?", en: "Do you want full time?"}
      - name: kommentar
        type: text
        label: {nb: "Kommentar", en: "Comment"}
"""
UNITS = {"nord": 5, "sor": 6, "liten": 2}
SUBMITTED = {"nord": dt.date(2025, 3, 1), "sor": dt.date(2025, 3, 2), "liten": dt.date(2025, 3, 3)}
COLUMNS = [
    "rad",
    "versjon",
    "innsendt",
    "kanal",
    "enhet",
    "yrke",
    "yrke_annet",
    "vakter_dag",
    "vakter_kveld",
    "vakter_natt",
    "stilling",
    "barn",
    "startdato",
    "trivsel",
    "heltid",
    "kommentar",
]


def answers_for(unit: str, i: int) -> dict:
    answers = {
        "enhet": unit,
        "yrke": "sykepleier" if i % 2 == 0 else "annet",
        "vakter": ["dag", "natt"] if i % 2 == 0 else ["kveld"],
        "stilling": 62.5,
        "barn": i,
        "startdato": "2024-08-01",
        "trivsel": i % 5 + 1,
        "heltid": "yes" if i % 2 == 0 else "no",
    }
    if i % 2:
        answers["yrke_annet"] = "Kokk"
    if unit == "nord" and i == 0:
        del answers["vakter"]
    if unit == "sor" and i == 0:
        answers["kommentar"] = "=1+1"
    return answers


def make_campaign(app, mode: Mode, units: dict[str, int] = UNITS, *, people: bool = False) -> int:
    with app.app_context():
        if latest_version("radata-test") is None:
            sync_definition(engine.load_text(FORM, "radata-test.yaml"))
            db.session.flush()
        version = latest_version("radata-test")
        campaign = Campaign(slug=f"radata-{mode.value}", questionnaire_id="radata-test", mode=mode)
        db.session.add(campaign)
        db.session.flush()
        number = 0
        for unit, count in units.items():
            for i in range(count):
                number += 1
                invitation_id = None
                if people:
                    person = Person(
                        name=f"Ansatt {unit} {i}",
                        ansattnummer=f"{mode.value[0].upper()}{number:03d}",
                    )
                    db.session.add(person)
                    db.session.flush()
                    invitation = Invitation(
                        campaign_id=campaign.id,
                        token_hash=f"{campaign.id}-{number}".rjust(64, "0"),
                        person_id=person.id,
                    )
                    db.session.add(invitation)
                    db.session.flush()
                    invitation_id = invitation.id
                response = Response(
                    campaign_id=campaign.id,
                    questionnaire_version_id=version.id,
                    status=Status.SUBMITTED,
                    submitted_on=SUBMITTED[unit],
                    invitation_id=invitation_id,
                    channel="paper" if (unit, i) == ("sor", 1) else "web",
                )
                db.session.add(response)
                db.session.flush()
                db.session.add_all(
                    Answer(response_id=response.id, question=name, value=value)
                    for name, value in answers_for(unit, i).items()
                )
        # A draft is never exported.
        db.session.add(Response(campaign_id=campaign.id, questionnaire_version_id=version.id))
        db.session.commit()
        return campaign.id


@pytest.fixture
def leader(app, client):
    login_as(client, app, make_person(app, "prosjektleder"))
    return client


def download(client, campaign_id: int, kind: str, lang: str = "nb"):
    response = client.get(f"/rapporter/kampanjer/{campaign_id}/radata?format={kind}&lang={lang}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    return response


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def write_file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_csv_shape_codes_and_left_out_units(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    response = download(leader, campaign_id, "csv")
    assert 'filename="radata-' in response.headers["Content-Disposition"]
    rows = csv_rows(response.data)
    assert rows[0] == COLUMNS
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == 11  # 5 + 6; the 2 from «liten» are left out
    assert {row["enhet"] for row in body} == {"1", "2"}  # nord = 1, sor = 2, never liten = 3
    # A fresh row number, not the response id; days, never times.
    assert [row["rad"] for row in body] == [str(n) for n in range(1, 12)]
    assert {row["innsendt"] for row in body} == {"2025-03-01", "2025-03-02"}
    nord = [row for row in body if row["enhet"] == "1"]
    sor = [row for row in body if row["enhet"] == "2"]
    # select_multiple: one 0/1 column per choice; empty when not answered at all.
    assert sum(row["vakter_dag"] == "" for row in nord) == 1
    assert sorted((r["vakter_dag"], r["vakter_kveld"], r["vakter_natt"]) for r in sor) == (
        [("0", "1", "0")] * 3 + [("1", "0", "1")] * 3
    )
    # Decimal comma, whole numbers, dates, likert points, yes = 1 / no = 0.
    assert {row["stilling"] for row in body} == {"62,5"}
    assert sorted(int(row["barn"]) for row in sor) == [0, 1, 2, 3, 4, 5]
    assert {row["startdato"] for row in body} == {"2024-08-01"}
    assert sorted(row["trivsel"] for row in sor) == ["1", "1", "2", "3", "4", "5"]
    assert sorted(row["heltid"] for row in sor) == ["0", "0", "0", "1", "1", "1"]
    # select_one codes: the choice's number (sykepleier 1, helsefagarbeider 2, annet 3).
    assert sorted(row["yrke"] for row in sor) == ["1", "1", "1", "3", "3", "3"]
    assert sorted(row["yrke_annet"] for row in sor) == ["", "", "", "Kokk", "Kokk", "Kokk"]
    assert sorted(row["kanal"] for row in body) == ["1"] * 10 + ["2"]
    # A free-text answer that looks like a formula is text.
    assert "'=1+1" in [row["kommentar"] for row in body]


def test_csv_codebook(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    rows = csv_rows(download(leader, campaign_id, "csv-kodebok").data)
    assert rows[0] == [
        "Variabel",
        "Spørsmål",
        "Etikett",
        "Type",
        "Kode",
        "Svarverdi",
        "Verdietikett",
    ]
    entries = [row for row in rows[1:] if len(row) == 7]
    assert ["enhet", "enhet", "Hvor jobber du?", "select_one", "2", "sor", "Sør"] in entries
    assert ["yrke", "yrke", "Yrke", "select_one", "3", "annet", "Annet"] in entries
    assert ["heltid", "heltid", "Ønsker du heltid?", "yes_no", "1", "yes", "Ja"] in entries
    assert ["heltid", "heltid", "Ønsker du heltid?", "yes_no", "0", "no", "Nei"] in entries
    assert [
        "vakter_natt",
        "vakter",
        "Hvilke vakter går du?: Natt",
        "select_multiple",
        "1",
        "1",
        "Valgt",
    ] in entries
    assert ["trivsel", "trivsel", "Jeg trives på jobben", "likert", "5", "5", "5 – Helt enig"] in (
        entries
    )
    assert ["stilling", "stilling", "Stillingsprosent", "percent", "", "", ""] in entries
    notes = [row[0] for row in rows[1:] if len(row) == 1]
    assert "2 svar fra enheter med færre enn 5 svar er utelatt." in notes
    # The note is not a variable.
    assert "info" not in {row[0] for row in entries}


def test_xlsx_has_data_and_codebook_sheets(app, leader):
    campaign_id = make_campaign(app, Mode.CONFIDENTIAL)
    workbook = load_workbook(io.BytesIO(download(leader, campaign_id, "xlsx", "en").data))
    assert workbook.sheetnames == ["Data", "Codebook"]
    data = list(workbook["Data"].iter_rows(values_only=True))
    assert list(data[0]) == COLUMNS
    assert len(data) == 12
    first = dict(zip(data[0], data[1], strict=True))
    assert first["stilling"] == 62.5  # a number, not text
    assert first["innsendt"].date() == dt.date(2025, 3, 1)
    codebook = list(workbook["Codebook"].iter_rows(values_only=True))
    assert codebook[0][:4] == ("Variable", "Question", "Label", "Type")
    assert ("enhet", "enhet", "Where do you work?", "select_one", 1, "nord", "North") in codebook
    assert any(
        row[0] == "2 answers from units with fewer than 5 answers are left out." for row in codebook
    )


def test_sav_has_variable_and_value_labels(app, leader, tmp_path):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    response = download(leader, campaign_id, "sav")
    frame, meta = pyreadstat.read_sav(write_file(tmp_path, "r.sav", response.data))
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 11
    labels = meta.column_names_to_labels
    assert labels["trivsel"] == "Jeg trives på jobben"
    assert labels["vakter_kveld"] == "Hvilke vakter går du?: Kveld"
    assert labels["rad"] == "Radnummer"
    values = meta.variable_value_labels
    assert values["enhet"] == {1.0: "Nord", 2.0: "Sør", 3.0: "Liten enhet"}
    assert values["heltid"] == {1.0: "Ja", 0.0: "Nei"}
    assert values["vakter_dag"] == {0.0: "Ikke valgt", 1.0: "Valgt"}
    assert values["trivsel"][1.0] == "1 – Helt uenig"
    assert values["kanal"] == {1.0: "Nett", 2.0: "Papir"}
    assert set(frame["enhet"]) == {1.0, 2.0}
    assert frame["stilling"].iloc[0] == 62.5
    assert set(frame["startdato"]) == {dt.date(2024, 8, 1)}
    assert set(frame["innsendt"]) == {dt.date(2025, 3, 1), dt.date(2025, 3, 2)}
    assert sum(math.isnan(value) for value in frame["vakter_dag"]) == 1
    assert "Kokk" in set(frame["yrke_annet"])
    assert meta.file_label == "Testskjema"
    assert "2 svar fra enheter med færre enn 5 svar er utelatt." in " ".join(meta.notes)


def test_dta_has_variable_and_value_labels(app, leader, tmp_path):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    response = download(leader, campaign_id, "dta", "en")
    frame, meta = pyreadstat.read_dta(write_file(tmp_path, "r.dta", response.data))
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 11
    assert meta.column_names_to_labels["heltid"] == "Do you want full time?"
    assert meta.variable_value_labels["heltid"] == {0: "No", 1: "Yes"}
    assert meta.variable_value_labels["yrke"] == {1: "Nurse", 2: "Health worker", 3: "Other"}
    assert sorted(frame["barn"]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_no_export_when_the_campaign_is_below_the_limit(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS, {"nord": 3, "sor": 1})
    response = leader.get(f"/rapporter/kampanjer/{campaign_id}/radata?format=csv")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Færre enn 5 svar" in text and "ingen rådata" in text
    assert response.mimetype == "text/html"
    with app.app_context():
        assert (
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.object_type == "campaign_raw_data")
            ).all()
            == []
        )
    # The page says so instead of offering links.
    page = leader.get("/rapporter/").get_data(as_text=True)
    assert "Rådata" in page
    assert f"/rapporter/kampanjer/{campaign_id}/radata" not in page


def test_no_export_when_every_unit_is_below_the_limit(app, leader):
    campaign_id = make_campaign(app, Mode.CONFIDENTIAL, {"nord": 4, "sor": 4})
    response = leader.get(f"/rapporter/kampanjer/{campaign_id}/radata?format=xlsx")
    assert response.status_code == 409
    assert "ingen rådata" in response.get_data(as_text=True)


def test_reports_page_offers_the_formats_and_says_what_is_left_out(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    page = leader.get("/rapporter/").get_data(as_text=True)
    assert "Rådata" in page
    assert "2 svar fra enheter med færre enn 5 svar er utelatt." in page
    for kind in ("xlsx", "csv", "csv-kodebok", "sav", "dta"):
        assert f"/rapporter/kampanjer/{campaign_id}/radata?format={kind}" in page


@pytest.mark.parametrize("role", ["enhetsleder", "tillitsvalgt", "verneombud", "utvalgsmedlem"])
def test_other_roles_get_no_raw_data(app, client, role):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    login_as(client, app, make_person(app, role, unit="nord"))
    response = client.get(f"/rapporter/kampanjer/{campaign_id}/radata?format=csv")
    assert response.status_code == 403
    if role in ("enhetsleder", "tillitsvalgt", "verneombud"):  # they see the reports page
        page = client.get("/rapporter/").get_data(as_text=True)
        assert "Rådata" not in page
        assert "/radata" not in page


def test_download_is_audit_logged(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    download(leader, campaign_id, "sav")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "campaign_raw_data")
        ).one()
        assert entry.action == "export"
        assert entry.object_id == str(campaign_id)
        assert entry.detail["format"] == "sav"
        assert entry.detail["rows"] == 11
        assert entry.detail["omitted"] == 2


def test_anonymous_has_no_identifiers_and_no_time_of_day(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    rows = csv_rows(download(leader, campaign_id, "csv").data)
    with app.app_context():
        ids = set(
            db.session.scalars(select(Response.id).where(Response.campaign_id == campaign_id))
        )
    cells = {cell for row in rows for cell in row}
    assert not ids & cells
    assert "ansattnummer" not in rows[0] and "navn" not in rows[0]
    dates = [row[rows[0].index("innsendt")] for row in rows[1:]]
    assert all(len(day) == 10 and ":" not in day for day in dates)
    assert not any(":" in cell for cell in cells)


def test_identified_campaign_has_names_and_confidential_has_none(app, leader):
    identified = make_campaign(app, Mode.IDENTIFIED, {"nord": 2}, people=True)
    rows = csv_rows(download(leader, identified, "csv").data)
    header = rows[0]
    assert header[4:6] == ["ansattnummer", "navn"]
    # Identified data is no aggregate: two rows are not too few, and no unit is left out.
    assert len(rows) == 3
    assert {row[5] for row in rows[1:]} == {"Ansatt nord 0", "Ansatt nord 1"}
    assert {row[4] for row in rows[1:]} == {"I001", "I002"}

    confidential = make_campaign(app, Mode.CONFIDENTIAL, {"nord": 5}, people=True)
    rows = csv_rows(download(leader, confidential, "csv").data)
    assert "navn" not in rows[0] and "ansattnummer" not in rows[0]
    text = "\n".join(";".join(row) for row in rows)
    assert "Ansatt nord" not in text and "C00" not in text


def test_wrong_format_is_refused_with_a_message(app, leader):
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    response = leader.get(f"/rapporter/kampanjer/{campaign_id}/radata?format=pdf")
    assert response.status_code == 400
    assert "Velg et format." in response.get_data(as_text=True)
    assert leader.get("/rapporter/kampanjer/999999/radata?format=csv").status_code == 404


# --- pure: names and versions ----------------------------------------------------------------


SOURCES = [
    "størrelse_ønsket_stilling_i_prosent_av_full_tid",
    "størrelse_ønsket_stilling_i_prosent_av_full_tid_2",
    "vakter_helg-kveld",
    "1_tall",
    "with",
    "Enhet",
    "enhet",
    "_skjult",
]


def test_safe_names_are_valid_unique_and_deterministic():
    taken: set[str] = set()
    names = [safe_name(name, taken) for name in SOURCES]
    assert names == [
        "storrelse_onsket_stilling_i_pros",
        "storrelse_onsket_stilling_i_pr_2",
        "vakter_helg_kveld",
        "v_1_tall",
        "with_",
        "enhet",
        "enhet_2",
        "skjult",
    ]
    assert all(len(name) <= 32 for name in names)
    # The same names in the same order give the same variables.
    again: set[str] = set()
    assert [safe_name(name, again) for name in SOURCES] == names


def test_several_versions_use_the_newest_labels_and_keep_old_questions(app):
    old = engine.load_text(
        FORM.replace("version: 1", "version: 1").replace(
            "      - name: kommentar",
            '      - name: gammel\n        type: integer\n        label: {nb: "Gammel"}\n      - name: kommentar',
        ),
        "old.yaml",
    )
    new = engine.load_text(
        FORM.replace("version: 1", "version: 2").replace("Jeg trives på jobben", "Jeg trives godt"),
        "new.yaml",
    )
    responses = [
        Submitted((dt.date(2025, 1, day), str(day)), version, dt.date(2025, 1, day), "web", answers)
        for day, version, answers in [
            (1, 1, {"enhet": "nord", "trivsel": 2, "gammel": 7}),
            (2, 2, {"enhet": "nord", "trivsel": 4}),
        ]
    ]
    with app.test_request_context():
        raw = build(
            title="t",
            mode=Mode.IDENTIFIED,
            definitions={1: old, 2: new},
            responses=responses,
            lang="nb",
            minimum=5,
        )
    names = raw.names
    assert names[-1] == "gammel"  # only the old version had it: after the newest's columns
    assert names.index("trivsel") < names.index("kommentar") < names.index("gammel")
    trivsel = next(v for v in raw.variables if v.name == "trivsel")
    assert trivsel.label == "Jeg trives godt"
    assert [row[names.index("versjon")] for row in raw.rows] == [1, 2]
    assert [row[-1] for row in raw.rows] == [7, None]
    assert any("flere versjoner" in note for note in raw.notes)


def test_refused_without_answers(app):
    with app.test_request_context(), pytest.raises(RawDataRefused) as refused:
        build(title="t", mode=Mode.ANONYMOUS, definitions={}, responses=[], lang="nb", minimum=5)
    assert refused.value.code == "no_answers"


CODES_FORM = """
id: koder
version: 1
title: "Koder"
default_mode: identified
pages:
  - name: s
    title: "S"
    questions:
      - name: antall
        type: select_one
        label: "Hvor mange?"
        choices:
          - {value: "10", label: "Ti"}
          - {value: "20", label: "Tjue"}
      - name: klasse
        type: select_one
        label: "Klasse"
        choices:
          - {value: "1", label: "En"}
          - {value: "01", label: "Null-en"}
      - name: ja
        type: yes_no
        label: "Ja?"
      - name: grad
        type: likert
        scale: grad
        label: "I hvilken grad?"
"""


def test_codes_of_whole_number_values_yes_no_and_the_extent_scale(app):
    definition = engine.load_text(CODES_FORM, "koder.yaml")
    answers = [
        {"antall": "20", "klasse": "01", "ja": True, "grad": 4},
        {"antall": "10", "klasse": "1", "ja": "no", "grad": 1},
    ]
    responses = [
        Submitted((index,), 1, dt.date(2025, 1, 1), "web", data)
        for index, data in enumerate(answers)
    ]
    with app.test_request_context():
        raw = build(
            title="t",
            mode=Mode.IDENTIFIED,
            definitions={1: definition},
            responses=responses,
            lang="nb",
            minimum=5,
        )
    by_name = {v.name: v for v in raw.variables}
    # Whole-number values are their own codes; «1» and «01» would clash, so they are numbered.
    assert by_name["antall"].value_labels == {10: "Ti", 20: "Tjue"}
    assert by_name["klasse"].value_labels == {1: "En", 2: "Null-en"}
    assert by_name["grad"].value_labels == {
        4: "I stor grad",
        3: "I noen grad",
        2: "I liten grad",
        1: "Ikke i det hele tatt",
    }
    columns = [raw.names.index(name) for name in ("antall", "klasse", "ja", "grad")]
    assert [[row[i] for i in columns] for row in raw.rows] == [[20, 2, 1, 4], [10, 1, 0, 1]]
