"""Issue #10, items 12, 16 and 17: every CSV and XLSX download the product writes.

- CSV opens in Norwegian Excel: `;` between cells, UTF-8 with a byte order mark, decimal
  commas (17,5 — Excel in Norwegian reads 17.5 as a date or as text); XLSX keeps numbers.
- Text that starts like a formula (`=HYPERLINK(...)`, `@SUM(1+1)`, `+1`, `-1+2`, TAB x) is
  never a formula: `'`-prefixed in CSV, a text cell in XLSX. Negative numbers stay numbers.
- The campaign report of a campaign with too few answers downloads as XLSX (it gave a 500:
  «At least one sheet must be visible») and says why no results are shown.

The payloads go into every free-text field that reaches an export: living-document names
and comments, unit names, the campaign title."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.accounts.models import Person, Unit
from survey.campaigns.models import Campaign, Mode
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from survey.tabular import csv_bytes
from tests.conftest import login_as, make_person
from tests.reports.test_campaign_and_person import campaign_id  # noqa: F401 - a fixture

PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1+1)", "+1", "-1+2", "\tx", "\rx"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = b"\xef\xbb\xbf"
NUMBER = re.compile(r"-?\d+(,\d+)?")


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM), data[:20]
    return list(
        csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline=""), delimiter=";")
    )


def assert_safe_csv(data: bytes, expected: list[str]) -> list[list[str]]:
    """No cell starts like a formula unless it is a number; every payload is there as text."""
    rows = csv_rows(data)
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            assert NUMBER.fullmatch(cell), cell
    text = "\n".join(cells)
    for payload in expected:
        assert f"'{payload}" in text, payload
    return rows


def assert_safe_xlsx(data: bytes, expected: list[str]):
    workbook = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    joined = "\n".join(texts)
    for payload in expected:
        # XML reads a lone CR in a text as LF; the text is a text cell all the same.
        assert payload.replace("\r", "\n") in joined, payload
    return workbook


# --- the writer itself --------------------------------------------------------------------


def test_csv_for_norwegian_excel():
    data = csv_bytes([["tekst", 17.9, 66.1, -1.5, 10, None, "-1+2", "a;b"]])
    assert data == BOM + b'tekst;17,9;66,1;-1,5;10;;\'-1+2;"a;b"\r\n'


# --- living documents: web and command line, CSV and XLSX, and classify --format csv ------


@pytest.fixture
def living(app):
    """One person per payload, named by it, with the payload as comment; stillingsprosent
    66,1 for the first one."""
    leader_id = make_person(app, "prosjektleder", name="Pia Prosjektleder")
    with app.app_context():
        leader = db.session.get(Person, leader_id)
        for number, payload in enumerate(PAYLOADS, start=1):
            person = Person(name=payload, ansattnummer=str(2000 + number))
            db.session.add(person)
            db.session.flush()
            services.save_revision(
                services.document_for(person),
                {"stillingsprosent": 66.1 if number == 1 else 50, "kommentar": payload},
                base=0,
                author=leader,
                author_role="prosjektleder",
                source=Source.CONVERSATION,
                effective_on=dt.date(2026, 2, 1),
            )
        db.session.commit()
    return leader_id


def test_living_document_exports_are_safe_and_use_decimal_commas(
    app, client, runner, living, tmp_path
):
    login_as(client, app, living)
    response = client.get("/levende/eksport?format=csv")
    assert response.status_code == 200
    rows = assert_safe_csv(response.data, PAYLOADS)
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["stillingsprosent"] == "66,1"
    assert first["navn"] == first["kommentar"] == "'" + PAYLOADS[0]

    workbook = assert_safe_xlsx(client.get("/levende/eksport?format=xlsx").data, PAYLOADS)
    values = list(workbook.active.iter_rows(values_only=True))
    first = dict(zip(values[0], values[1], strict=True))
    assert first["stillingsprosent"] == 66.1
    assert first["kommentar"] == PAYLOADS[0]

    out = tmp_path / "levende.csv"
    result = runner.invoke(
        args=["export", "living-documents", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == response.data
    standard_output = runner.invoke(args=["export", "living-documents", "--format", "csv"])
    assert standard_output.exit_code == 0, standard_output.output
    assert_safe_csv(standard_output.stdout_bytes, PAYLOADS)

    out = tmp_path / "levende.xlsx"
    result = runner.invoke(
        args=["export", "living-documents", "--format", "xlsx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert_safe_xlsx(out.read_bytes(), PAYLOADS)


def test_classify_csv_is_safe_and_uses_decimal_commas(runner, living):
    result = runner.invoke(args=["classify", "--as-of", "2026-06-01", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = assert_safe_csv(result.stdout_bytes, PAYLOADS)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["navn"], first["stillingsprosent"]) == ("'" + PAYLOADS[0], "66,1")


# --- the heltid report and the campaign report, web and command line ----------------------


def _name_units(app, ids: dict[str, int], names: dict[str, str]) -> None:
    with app.app_context():
        for code, name in names.items():
            db.session.get(Unit, ids[code]).name = name
        db.session.commit()


def test_heltid_report_exports_are_safe_and_use_decimal_commas(
    app, client, runner, municipality, tmp_path
):
    """Figures from test_golden.py: 30–49,9 %: 10 of 57 = 17,5 %."""
    names = {"hjemme": PAYLOADS[0], "omsorg": PAYLOADS[1], "psyk": PAYLOADS[3]}
    _name_units(app, municipality, names)
    login_as(client, app, make_person(app, "admin"))
    base = "/rapporter/heltid?as_of=2025-12-31&lang=en"
    response = client.get(f"{base}&scope={municipality['hjemme']}&format=csv")
    assert response.status_code == 200
    assert_safe_csv(response.data, [PAYLOADS[0]])  # in the subtitle: the report's scope

    response = client.get(f"{base}&scope=kommune&format=csv")
    rows = assert_safe_csv(response.data, list(names.values()))
    assert ["30–49.9 %", "10", "17,5"] in rows
    workbook = assert_safe_xlsx(
        client.get(f"{base}&scope=kommune&format=xlsx").data, list(names.values())
    )
    assert ("30–49.9 %", 10, 17.5) in list(workbook["positions"].iter_rows(values_only=True))

    out = tmp_path / "heltid.csv"
    result = runner.invoke(
        args=["report", "heltid", "--as-of", "2025-12-31", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert ["30–49.9 %", "10", "17,5"] in assert_safe_csv(out.read_bytes(), list(names.values()))


def test_campaign_report_exports_are_safe(app, client, runner, campaign_id, tmp_path):  # noqa: F811
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        # The English report carries the English title, never the bokmål one.
        campaign.title, campaign.title_en = "Bokmålstittel", PAYLOADS[0]
        db.session.commit()
    login_as(client, app, make_person(app, "admin"))
    url = f"/rapporter/kampanjer/{campaign_id}?lang=en&fritekst=1"
    rows = assert_safe_csv(client.get(f"{url}&format=csv").data, [PAYLOADS[0]])
    trivsel = "All in all, I am happy with my work and my work situation."
    assert [trivsel, "30", "0,0", "0,0", "16,7", "33,3", "33,3", "16,7", "4,5"] in rows
    assert not any("Bokmålstittel" in cell for row in rows for cell in row)
    workbook = assert_safe_xlsx(client.get(f"{url}&format=xlsx").data, [PAYLOADS[0]])
    cells = [v for s in workbook.worksheets for r in s.iter_rows(values_only=True) for v in r]
    assert 16.7 in cells and 4.5 in cells

    out = tmp_path / "campaign.xlsx"
    result = runner.invoke(
        args=["report", "campaign", str(campaign_id), "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert_safe_xlsx(out.read_bytes(), [PAYLOADS[0]])


# --- item 16: the demo's campaigns, none of them answered yet ------------------------------


def test_every_demo_campaign_downloads_as_xlsx_and_csv(app, client):
    from survey.demo import create_demo_data

    with app.app_context():
        create_demo_data("http://localhost:5000")
        campaigns = db.session.scalars(
            select(Campaign.id).where(Campaign.mode != Mode.IDENTIFIED)
        ).all()
    assert len(campaigns) == 3
    login_as(client, app, make_person(app, "admin"))
    for campaign in campaigns:
        response = client.get(f"/rapporter/kampanjer/{campaign}?format=xlsx&lang=nb")
        assert response.status_code == 200, campaign
        workbook = load_workbook(io.BytesIO(response.data))
        text = [v for s in workbook.worksheets for r in s.iter_rows(values_only=True) for v in r]
        assert "Færre enn 5 svar: ingen resultater vises, slik at ingen kan kjennes igjen." in text
        assert "Svar" in text  # the facts about the survey: «Svar: 0»
        response = client.get(f"/rapporter/kampanjer/{campaign}?format=csv&lang=nn")
        rows = csv_rows(response.data)
        assert [
            "Færre enn 5 svar: ingen resultat blir viste, slik at ingen kan kjennast att."
        ] in rows
