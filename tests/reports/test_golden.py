"""The heltid report of a 60-person municipality whose every figure is counted by hand here.

Population (as of 31.12.2025): 60 in scope; 2 leaders and 1 student left out; N = 57.
Positions: 0–29,9: 6 (G6) · 30–49,9: 10 (G5) · 50–79,9: 18 (G3 10 + G4 8) · 80–99,9: 3 (G7)
· 100: 20 (G1 12 + G2 8). 3 < 5 is hidden, and so is the next smallest (6), or the total
would give it away. 10/57 = 17,5 %, 18/57 = 31,6 %, 20/57 = 35,1 %. Average:
(1200 + 800 + 500 + 480 + 400 + 120 + 255) / 57 = 3755/57 = 65,9 %.
Songdalen (part time and want more; flexibility is no criterion, issue #10 item 15):
G3 + G4 + G7 = 21 involuntary (36,8 %); G5, G6 = 16 voluntary (28,1 %); 20 heltid.
Selvrapportert: the same 21 (36,8 %). The other profiles: 0 involuntary (no kvalifisert).
Flexibility of the involuntary (more weekends, long shifts, other units, ubundet tid, vacant
shifts): G3 4 ways (hver_3, langvakter, annen_enhet, ledige vakter), G7 4 (oftere, langvakter,
ledige vakter, ubundet tid), G4 0: under Songdalen and Selvrapportert, of N = 21: 0 ways 8
(38,1 %), 1 way 0 (0,0 %), 2+ ways 13 (61,9 %).
Desired extra: G3 10 × 30 + G4 8 × 40 + G7 3 × 10 = 650 points = 6,5 årsverk.
Willingness (21 asked): weekends 13/21 = 61,9 %; nights 3: hidden.
Reasons (37 part-timers): ikke_tilbudt 10 and okonomi_nok 10 (27,0 %), omsorg 8 (21,6 %),
helse 6 (16,2 %), for_toft 3: hidden. Trend: 31.12.2024 N = 54 (G7 not yet mapped),
involuntary 18 (G3 + G4, 33,3 %), average 3400/54 = 63,0 %."""

from __future__ import annotations

import re
import subprocess

import pytest

pytestmark = pytest.mark.usefixtures("municipality")


def pdf_text(path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"[ \t]+", " ", text)


def report(runner, tmp_path, lang, *extra, suffix=".pdf"):
    out = tmp_path / f"heltid-{lang}{suffix}"
    result = runner.invoke(
        args=[
            "report",
            "heltid",
            "--as-of",
            "2025-12-31",
            "--lang",
            lang,
            "--out",
            str(out),
            *extra,
        ]
    )
    assert result.exit_code == 0, result.output
    return out


def test_golden_figures_in_english(runner, tmp_path):
    text = pdf_text(report(runner, tmp_path, "en"))
    lines = {line.strip() for line in text.splitlines()}
    for row in (
        "0–29.9 % –* –*",
        "30–49.9 % 10 17.5%",
        "50–79.9 % 18 31.6%",
        "80–99.9 % –* –*",
        "100 % 20 35.1%",
        "Total 57 100.0%",
        "Average position size 65.9%",
        "Full time 20 35.1%",
        "Voluntary part time 16 28.1%",
        "Involuntary part time 21 36.8%",
        "Want a larger position 21 36.8%",
        "Desired extra årsverk (larger positions) 6.5",
    ):
        assert any(line.startswith(row) for line in lines), row
    assert "Students (1); Managers (2)" in text
    assert "60, of whom 3 are left out and 57 counted" in re.sub(r"\s+", " ", text)
    assert re.search(r"Self-reported 20 16 21 0 36\.8%", text)
    assert re.search(r"More weekends 13 21 61\.9%", text)
    # Everyone asked is involuntary under Songdalen: 10 of 21 (G3) in both groups.
    assert re.search(r"Other units or a staffing pool 10 21 47\.6% 10 21 47\.6%", text)
    assert re.search(r"Night shifts –\*? 21 –", text)
    assert re.search(r"27\.0%", text) and re.search(r"21\.6%", text) and re.search(r"16\.2%", text)
    assert re.search(r"12/31/24 54 18 33\.3% 63\.0%", text)
    assert re.search(r"12/31/25 57 21 36\.8% 65\.9%", text)
    assert "Fewer than 5 people, or could be worked out from other cells" in text
    # N on every table.
    assert text.count("(N = ") >= 12


def test_norwegian_number_format(runner, tmp_path):
    text = pdf_text(report(runner, tmp_path, "nb"))
    for figure in ("17,5 %", "31,6 %", "35,1 %", "65,9 %", "36,8 %", "61,9 %", "6,5", "63,0 %"):
        assert figure in text, figure
    assert "17.5" not in text


def test_unit_scope_and_suppression_by_subtraction(runner, tmp_path, municipality):
    text = pdf_text(report(runner, tmp_path, "en", "--scope", f"unit:{municipality['psyk']}"))
    # Three counted people: every non-zero cell is hidden, N included.
    assert "(N = –" in text
    assert not re.search(r"\b3\b 100\.0%", text)


def test_csv_and_xlsx_hold_the_same_cells(runner, tmp_path):
    from openpyxl import load_workbook

    csv_text = report(runner, tmp_path, "en", suffix=".csv").read_text(encoding="utf-8-sig")
    assert "30–49.9 %;10;17,5" in csv_text  # decimal comma for Norwegian Excel
    assert "80–99.9 %;–;–" in csv_text
    workbook = load_workbook(report(runner, tmp_path, "en", suffix=".xlsx"))
    rows = list(workbook["positions"].iter_rows(values_only=True))
    assert ("50–79.9 %", 18, 31.6) in rows
    assert ("0–29.9 %", "–", "–") in rows


def test_cli_is_audited_and_refuses_bad_input(runner, tmp_path, app):
    from sqlalchemy import select

    from survey.audit.models import AuditEntry
    from survey.extensions import db

    report(runner, tmp_path, "nn")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "heltid_report")
        ).one()
        assert entry.detail["lang"] == "nn" and entry.object_id == "kommune"
    bad = runner.invoke(
        args=["report", "heltid", "--profile", "nope", "--out", str(tmp_path / "x.pdf")]
    )
    assert bad.exit_code == 1 and "unknown profile 'nope'" in bad.output
    bad = runner.invoke(
        args=["report", "heltid", "--scope", "unit:zzz", "--out", str(tmp_path / "x.pdf")]
    )
    assert bad.exit_code == 1 and "no unit 'zzz'" in bad.output


def test_flexibility_of_the_involuntary_under_every_definition(runner, tmp_path):
    """Songdalen's finding (003:1265-1270) as a figure: of the 21 involuntary under Songdalen
    and Selvrapportert, 8 (G4) are willing in no way, none in one, 13 (G3, G7) in two or more;
    the other definitions count nobody involuntary here."""
    text = pdf_text(report(runner, tmp_path, "nb"))
    assert "Ufrivillig deltidsansatte etter hvor mange måter de kan jobbe mer på" in text
    assert re.search(r"Songdalen \* 21 8 38,1 % 0 0,0 % 13 61,9 %", text)
    assert re.search(r"Selvrapportert 21 8 38,1 % 0 0,0 % 13 61,9 %", text)
    assert re.search(r"Drammen 0 0 – 0 – 0 –", text)
    # The same cells in the spreadsheet, as numbers.
    from openpyxl import load_workbook

    workbook = load_workbook(report(runner, tmp_path, "en", suffix=".xlsx"))
    rows = list(workbook["flexibility"].iter_rows(values_only=True))
    assert ("Songdalen *", 21, 8, 38.1, 0, 0.0, 13, 61.9) in rows
