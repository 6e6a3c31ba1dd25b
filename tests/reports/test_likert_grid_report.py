"""A Likert grid in the campaign report: one table and one diverging bar chart per grid, in
the PDF, on the results page and in the CSV/XLSX downloads.

The campaign «rutenett» (anonymous, 20 answers, K = 5), counted by hand:
- grid «samarbeid» (scale 1-6, the lower half 1-3 to the left of the centre line):
  «kolleger» 3: 5, 4: 5, 5: 5, 6: 5 → 25,0 % each above 2, mean (15+20+25+30)/20 = 4,5;
  «leder» 1: 5, 2: 5, 3: 5, 6: 5 → 25,0 % on 1, 2, 3 and 6, mean (5+10+15+30)/20 = 3,0;
  «tid» 1: 2, 6: 18 → 2 < K is hidden, and so is 18 (the row's N would give the 2 away):
  N = 20 shown, the mean hidden, no bar drawn.
- grid «kompetanse» (scale `grad`, written «I stor grad» first in the engine, score 4):
  «bruke» 4: 10, 3: 5, 1: 5 → ordered low to high: Ikke i det hele tatt 25,0 %, I liten grad
  0,0 %, I noen grad 25,0 %, I stor grad 50,0 %, mean (40+15+5)/20 = 3,0;
  «utvikle» 4: 5, 3: 5, 2: 5, 1: 5 → 25,0 % each, mean 50/20 = 2,5."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from reports import charts
from survey import engine
from survey.answering.models import Answer, Response, Status
from survey.campaigns.models import Campaign, Mode
from survey.extensions import db
from survey.questionnaires.services import latest_version, sync_definition
from tests.conftest import login_as, make_person
from tests.reports.test_campaign_and_person import pdf_text
from tests.reports.test_results_page import page_tables, results_page, text

SVG = "{http://www.w3.org/2000/svg}"

GRID_YAML = """\
id: rutenett
version: 1
title: {nb: "Rutenett", nn: "Rutenett", en: "Grid survey"}
description: {nb: "Noen utsagn.", nn: "Nokre utsegner.", en: "Some statements."}
default_mode: anonymous
pages:
  - name: samarbeid_side
    title: {nb: "Samarbeid", nn: "Samarbeid", en: "Cooperation"}
    questions:
      - name: samarbeid
        type: likert_grid
        scale: "1-6"
        label: {nb: "Hvor enig er du i utsagnene?", nn: "Kor samd er du i utsegnene?", en: "How much do you agree?"}
        required: true
        statements:
          - name: kolleger
            label: {nb: "Jeg samarbeider godt med kollegene mine", nn: "Eg samarbeider godt med kollegane mine", en: "I work well with my colleagues"}
          - name: leder
            label: {nb: "Jeg får god støtte fra nærmeste leder", nn: "Eg får god støtte frå næraste leiar", en: "I get good support from my line manager"}
          - name: tid
            label: {nb: "Jeg har nok tid til brukerne", nn: "Eg har nok tid til brukarane", en: "I have enough time for the people we care for"}
  - name: kompetanse_side
    title: {nb: "Kompetanse", nn: "Kompetanse", en: "Skills"}
    questions:
      - name: kompetanse
        type: likert_grid
        scale: grad
        label: {nb: "I hvilken grad …", nn: "I kva grad …", en: "To what extent …"}
        statements:
          - name: bruke
            label: {nb: "får du brukt kompetansen din?", nn: "får du bruke kompetansen din?", en: "do you get to use your skills?"}
          - name: utvikle
            label: {nb: "får du utviklet kompetansen din?", nn: "får du utvikle kompetansen din?", en: "do you get to develop your skills?"}
"""

ANSWERS = {
    "kolleger": [3] * 5 + [4] * 5 + [5] * 5 + [6] * 5,
    "leder": [1] * 5 + [2] * 5 + [3] * 5 + [6] * 5,
    "tid": [1] * 2 + [6] * 18,
    "bruke": [4] * 10 + [3] * 5 + [1] * 5,
    "utvikle": [4] * 5 + [3] * 5 + [2] * 5 + [1] * 5,
}
SAMARBEID_NB = "Hvor enig er du i utsagnene? (N = 20)"
KOMPETANSE_NB = "I hvilken grad … (N = 20)"


@pytest.fixture
def grid_campaign(app):
    return make_grid_campaign(app)


def make_grid_campaign(app) -> int:
    """The campaign of the module docstring; its id."""
    with app.app_context():
        sync_definition(engine.load_text(GRID_YAML, "rutenett.yaml"))
        db.session.flush()
        version = latest_version("rutenett")
        campaign = Campaign(slug="rutenett", questionnaire_id="rutenett", mode=Mode.ANONYMOUS)
        db.session.add(campaign)
        db.session.flush()
        for index in range(20):
            response = Response(
                campaign_id=campaign.id,
                questionnaire_version_id=version.id,
                status=Status.SUBMITTED,
                submitted_on=dt.date(2026, 3, 1),
            )
            db.session.add(response)
            db.session.flush()
            db.session.add_all(
                Answer(response_id=response.id, question=name, value=values[index])
                for name, values in ANSWERS.items()
            )
        db.session.commit()
        return campaign.id


def rows_of(tables, caption: str) -> list[list[str]]:
    found = [rows for title, rows in tables if title == caption]
    assert len(found) == 1, [title for title, _rows in tables]
    return found[0]


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(match) for match in re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)]


def bars(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "bar"]


def segments(bar: ET.Element) -> list[tuple[int, float, float]]:
    """(scale point, left x, right x) of every segment of a bar, left to right."""
    found = []
    for rect in bar.iter(f"{SVG}rect"):
        point = int(rect.get("class").split("point-")[1])
        x, width = float(rect.get("x")), float(rect.get("width"))
        found.append((point, x, x + width))
    return sorted(found, key=lambda segment: segment[1])


def centre_of(bar: ET.Element) -> float:
    lines = [line for line in bar.iter(f"{SVG}line") if line.get("class") == "centre"]
    assert len(lines) == 1
    return float(lines[0].get("x1"))


def test_a_grid_is_one_table_with_a_row_per_statement(app, client, grid_campaign):
    login_as(client, app, make_person(app, "tillitsvalgt"))
    html = results_page(client)
    tables = page_tables(html)
    samarbeid = rows_of(tables, SAMARBEID_NB)
    assert samarbeid[0] == [
        "Påstand",
        "N",
        "1 – Helt uenig",
        "2",
        "3",
        "4",
        "5",
        "6 – Helt enig",
        "Gjennomsnitt",
    ]
    assert samarbeid[1] == [
        "Jeg samarbeider godt med kollegene mine",
        "20",
        *["0,0 %"] * 2,
        *["25,0 %"] * 4,
        "4,5",
    ]
    assert samarbeid[2] == [
        "Jeg får god støtte fra nærmeste leder",
        "20",
        *["25,0 %"] * 3,
        *["0,0 %"] * 2,
        "25,0 %",
        "3,0",
    ]
    # The 2 who answered 1 are a small group; 18 goes too, or N would give the 2 away.
    assert samarbeid[3] == ["Jeg har nok tid til brukerne", "20", "–", *["0,0 %"] * 4, "–", "–"]
    # The grad scale is written «I stor grad» first; the table reads from low to high.
    kompetanse = rows_of(tables, KOMPETANSE_NB)
    assert kompetanse[0] == [
        "Påstand",
        "N",
        "Ikke i det hele tatt",
        "I liten grad",
        "I noen grad",
        "I stor grad",
        "Gjennomsnitt",
    ]
    assert kompetanse[1] == [
        "får du brukt kompetansen din?",
        "20",
        "25,0 %",
        "0,0 %",
        "25,0 %",
        "50,0 %",
        "3,0",
    ]
    assert kompetanse[2][-1] == "2,5"
    # No statement of a grid has a table of its own any more.
    captions = [caption for caption, _rows in tables]
    assert not any(c.startswith("Jeg samarbeider godt") for c in captions)
    words = text(html)
    assert "Prosent av dem som svarte på hvert utsagn; N på hver rad." in words
    assert "–: Færre enn 5 personer" in words


def test_the_chart_has_a_bar_per_statement_around_the_centre_line(app, client, grid_campaign):
    login_as(client, app, make_person(app, "tillitsvalgt"))
    html = results_page(client)
    drawn = svgs(html)
    assert len(drawn) == 2  # one per grid
    samarbeid, kompetanse = drawn
    # Its name (the grid's text and how to read the chart) is also the caption under it.
    name = samarbeid.find(f"{SVG}title").text
    assert name.startswith("Hvor enig er du i utsagnene? Prosent av svarene på hvert utsagn:")
    assert "den nedre halvdelen av skalaen til venstre for midtlinja" in name
    assert name.removeprefix("Hvor enig er du i utsagnene? ") in text(html)
    legend = [t.text for t in samarbeid.iter(f"{SVG}text")][:6]
    assert legend == ["1 – Helt uenig", "2", "3", "4", "5", "6 – Helt enig"]

    kolleger, leder, tid = bars(samarbeid)
    centre = centre_of(kolleger)
    # 3 (disagreeing a little) ends at the centre line; 4, 5 and 6 follow to the right.
    points = segments(kolleger)
    assert [point for point, _left, _right in points] == [3, 4, 5, 6]
    assert points[0][2] == pytest.approx(centre, abs=0.05)
    assert all(left >= centre - 0.05 for _point, left, _right in points[1:])
    widths = [right - left for _point, left, right in points]
    assert max(widths) - min(widths) < 0.05  # 25 % each
    points = segments(leder)
    assert [point for point, _left, _right in points] == [1, 2, 3, 6]
    assert points[2][2] == pytest.approx(centre, abs=0.05)
    assert points[3][1] == pytest.approx(centre, abs=0.05)
    # The row with a hidden cell draws no bar, and says why.
    assert segments(tid) == []
    assert "skjult (liten gruppe)" in "".join(tid.itertext())
    # Labels with N, and the numbers written in the segments.
    words = " ".join(" ".join(samarbeid.itertext()).split())
    assert "Jeg samarbeider godt med kollegene mine (N = 20)" in words

    bruke, utvikle = bars(kompetanse)
    points = segments(bruke)
    # «Ikke i det hele tatt» (score 1) leftmost, «I stor grad» (4) rightmost, split in the middle.
    assert [point for point, _left, _right in points] == [1, 3, 4]
    centre = centre_of(bruke)
    # 1 (25 %) and 2 (0 %) to the left: 1 reaches the centre line.
    assert points[0][2] == pytest.approx(centre, abs=0.05)
    assert points[1][1] == pytest.approx(centre, abs=0.05)
    assert points[2][2] - points[2][1] == pytest.approx(2 * (points[1][2] - points[1][1]), 0.01)
    assert [t.text for t in kompetanse.iter(f"{SVG}text")][:4] == [
        "Ikke i det hele tatt",
        "I liten grad",
        "I noen grad",
        "I stor grad",
    ]


def test_an_odd_scale_puts_its_middle_point_across_the_centre():
    rows = [
        charts.DivergingRow(
            "Et utsagn", (25.0, 0.0, 50.0, 0.0, 25.0), ("25", "0", "50", "0", "25"), "N = 20"
        )
    ]
    svg = ET.fromstring(
        str(charts.diverging_bars(rows, legend=["1", "2", "3", "4", "5"], title="Fem punkter"))
    )
    (bar,) = bars(svg)
    centre = centre_of(bar)
    (_p1, left1, right1), (point, left, right) = segments(bar)[:2]
    assert point == 3
    assert centre - left == pytest.approx(right - centre, abs=0.05)
    assert right1 == pytest.approx(left, abs=0.05)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Et utsagn (N = 20)" in texts and "50" in texts


@pytest.mark.parametrize("points", [2, 3, 4, 5, 6, 7, 10])
def test_the_colours_meet_wcag_non_text_contrast(points):
    """Segments are parted by a white gap, so each must stand out from white (1.4.11,
    3:1); the numbers written in them need 4.5:1 (1.4.3); the lower and upper halves differ
    in hue, the middle point of an odd scale is grey."""
    fills = charts.diverging_fills(points)
    assert len(fills) == points == len(set(fills))
    for fill in fills:
        assert charts.contrast(fill, charts.GAP) >= 3
        assert charts.contrast(fill, charts.text_fill(fill)) >= 4.5
    if points % 2:
        assert fills[points // 2] == charts.MIDDLE_FILL
    for low, high in zip(fills[: points // 2], reversed(fills[-(points // 2) :]), strict=True):
        assert int(low[1:3], 16) > int(low[5:7], 16)  # more red than blue
        assert int(high[5:7], 16) > int(high[1:3], 16)  # more blue than red


def test_the_pdf_shows_the_grid_table_and_chart(runner, tmp_path, grid_campaign):
    out = tmp_path / "rutenett.pdf"
    result = runner.invoke(
        args=["report", "campaign", str(grid_campaign), "--lang", "nb", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    content = pdf_text(out.read_bytes(), tmp_path)
    lines = {line.strip() for line in content.splitlines()}
    assert SAMARBEID_NB in content
    # The table (a statement wraps in its column; its numbers are on its first line).
    assert "Jeg samarbeider godt 20 0,0 % 0,0 % 25,0 % 25,0 % 25,0 % 25,0 % 4,5" in lines
    assert any(
        line.startswith("Jeg har nok tid") and line.endswith(" 20 –* 0,0 % 0,0 % 0,0 % 0,0 % –* –*")
        for line in lines
    )
    # The chart: each statement above its bar with its N, the legend, the numbers in the bars.
    assert "Jeg får god støtte fra nærmeste leder (N = 20)" in lines
    assert "får du brukt kompetansen din? (N = 20)" in lines
    assert re.search(r"Ikke i det hele tatt\s+I liten grad\s+I noen grad\s+I stor grad", content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(out), str(tmp_path / "page")],
        check=True,
    )
    assert list(tmp_path.glob("page*.png"))


def test_the_downloads_have_the_grid_table(app, client, grid_campaign):
    login_as(client, app, make_person(app, "admin"))
    download = client.get(f"/rapporter/kampanjer/{grid_campaign}?format=csv&lang=en")
    assert download.status_code == 200
    rows = list(
        csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    start = rows.index(["How much do you agree?", "N = 20"])
    assert rows[start + 1] == [
        "Statement",
        "N",
        "1 – Strongly disagree",
        "2",
        "3",
        "4",
        "5",
        "6 – Strongly agree",
        "Mean",
    ]
    assert rows[start + 2] == [
        "I work well with my colleagues",
        "20",
        "0,0",
        "0,0",
        *["25,0"] * 4,
        "4,5",
    ]
    assert rows[start + 4][0] == "I have enough time for the people we care for"
    assert rows[start + 4][2] == rows[start + 4][-1] == "–"

    # The XLSX (here in nynorsk): the grid's table on a sheet of its own, numbers as numbers.
    download = client.get(f"/rapporter/kampanjer/{grid_campaign}?format=xlsx&lang=nn")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data))["g-kompetanse"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "I kva grad …"
    assert cells[1][:2] == ["N", 20]
    assert cells[2][:2] == ["Påstand", "N"]
    assert cells[2][2:6] == ["Ikkje i det heile", "I liten grad", "I nokon grad", "I stor grad"]
    assert cells[3][:7] == ["får du bruke kompetansen din?", 20, 25.0, 0.0, 25.0, 50.0, 3.0]


def test_the_archival_pdf_with_the_chart_is_valid_pdfa(runner, tmp_path, grid_campaign):
    """The chart uses no transparency (no opacity, no centred or right-anchored text)."""
    from tests.reports.test_pdfa import preflight

    out = tmp_path / "rutenett-arkiv.pdf"
    result = runner.invoke(
        args=["report", "campaign", str(grid_campaign), "--pdfa", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    verdict = preflight(out)
    assert "is a valid PDF/A-1b file" in verdict, verdict
