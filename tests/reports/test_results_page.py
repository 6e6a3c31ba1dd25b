"""The results page («Resultater») is the campaign report on screen: the same tables, cells and
suppression as the report's downloads, within the units the person may see.

The campaign is `campaign_id` of test_campaign_and_person.py: 30 answers of 40 invited,
12 from Home care, 15 from Care centre A, 3 from Mental health; «trivsel» 3: 5, 4: 10, 5: 10,
6: 5. With K = 5 the unit of 3 is hidden and so is the next smallest, 12; every «trivsel» cell
is shown. With K = 6 the two cells of 5 (3 and 6 on the scale) are hidden: two hidden cells in
the row, so no third is needed, and the mean goes too (it would give them away)."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from tests.conftest import login_as, make_person
from tests.reports.test_campaign_and_person import (
    campaign_id,  # noqa: F401 - a fixture
    pdf_text,
)


class _Tables(HTMLParser):
    """Every table of a page: its caption and its rows of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.cell: list[str] | None = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("th", "td") and self.cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        data = data.replace("\u00a0", " ").replace("\u202f", " ")
        if self.in_caption:
            self.tables[-1]["caption"] += data
        elif self.cell is not None:
            self.cell.append(data)


def page_tables(html: str) -> list[tuple[str, list[list[str]]]]:
    """(caption, rows) of every table, in order (a caption may repeat in another section)."""
    parser = _Tables()
    parser.feed(html)
    return [(" ".join(t["caption"].split()), t["rows"]) for t in parser.tables]


def first(tables, caption: str) -> list[list[str]]:
    return next(rows for title, rows in tables if title == caption)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


def results_page(client) -> str:
    response = client.get("/resultater/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# «trivsel» is the first statement of the first Likert grid (on the page before another grid
# with the same lead text).
GRID = "Hvor enig er du i utsagnene? (N = 30)"
TRIVSEL = "Alt i alt trives jeg godt med arbeidet og arbeidssituasjonen min."
SCALE = ["1 – Helt uenig", "2", "3", "4", "5", "6 – Helt enig"]


def test_the_page_shows_the_hand_counted_figures(app, client, campaign_id):  # noqa: F811
    login_as(client, app, make_person(app, "tillitsvalgt"))
    html = results_page(client)
    tables = page_tables(html)
    grid = first(tables, GRID)
    assert grid[0] == ["Påstand", "N", *SCALE, "Gjennomsnitt"]
    assert grid[1] == [
        TRIVSEL,
        "30",
        "0,0 %",
        "0,0 %",
        "16,7 %",
        "33,3 %",
        "33,3 %",
        "16,7 %",
        "4,5",
    ]
    units = first(tables, "Svar etter enhet (N = 30)")
    assert ["Psykisk helse og rus", "–", "–"] in units
    assert ["Hjemmetjenesten", "–", "–"] in units
    assert ["Omsorgssenter A", "15", "50,0 %"] in units
    words = text(html)
    # The population: answers, invited, response rate; and why cells are hidden.
    assert "Svarprosent 75,0 % (30 av 40 inviterte)" in words
    assert "–: Færre enn 5 personer, eller kan regnes ut fra andre celler" in words
    assert "Hemmelig kommentar" not in words  # free text is in the downloads only when asked


def test_the_page_has_the_tables_of_the_download(app, client, campaign_id):  # noqa: F811
    """Every table of the CSV download, cell by cell, is on the page (percentages there
    with «%»), and the page has no other tables."""
    login_as(client, app, make_person(app, "tillitsvalgt"))
    tables = page_tables(results_page(client))
    download = client.get(f"/rapporter/kampanjer/{campaign_id}?format=csv&lang=nb")
    rows = list(
        csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    starts = [i for i, row in enumerate(rows) if len(row) == 2 and row[1].startswith("N = ")]
    assert len(starts) == len(tables) > 3
    for start, (caption, on_page) in zip(starts, tables, strict=True):
        title, n = rows[start]
        assert caption == f"{title} ({n})"
        expected = rows[start + 1 : rows.index([], start)]
        assert [[re.sub(r" %$", "", cell) for cell in row] for row in on_page] == expected, title


def test_k_from_the_config_changes_the_page_and_the_pdf(app, client, runner, tmp_path, campaign_id):  # noqa: F811
    app.config["SMALL_GROUP_MINIMUM"] = 6
    login_as(client, app, make_person(app, "tillitsvalgt"))
    html = results_page(client)
    trivsel = first(page_tables(html), GRID)[1]
    assert trivsel == [TRIVSEL, "30", "0,0 %", "0,0 %", "–", "33,3 %", "33,3 %", "–", "–"]
    assert "færre enn 6 personer" in text(html)
    out = tmp_path / "campaign.pdf"
    result = runner.invoke(args=["report", "campaign", str(campaign_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = {line.strip() for line in pdf_text(out.read_bytes(), tmp_path).splitlines()}
    assert any(
        line.startswith("Alt i alt trives")
        and line.endswith(" 30 0,0 % 0,0 % –* 33,3 % 33,3 % –* –*")
        for line in lines
    )

    app.config["SMALL_GROUP_MINIMUM"] = 31
    words = text(results_page(client))
    assert "Færre enn 31 svar: ingen resultater vises" in words
    assert "Gjennomsnitt" not in words


def test_a_unit_leader_sees_the_answers_from_their_units(app, client, tmp_path, campaign_id):  # noqa: F811
    leader = make_person(app, "enhetsleder", unit="omsorgssenter_a")
    login_as(client, app, leader)
    html = results_page(client)
    words = text(html)
    assert "Bare svar fra enhetene dine er tatt med." in words
    assert "svar fra Omsorgssenter A" in words
    tables = page_tables(html)
    captions = [caption for caption, _rows in tables]
    assert GRID not in captions
    assert "Hvor enig er du i utsagnene? (N = 15)" in captions
    assert "Svar etter enhet (N = 15)" in captions
    # The same figures as the leader's PDF.
    pdf = client.get(f"/rapporter/kampanjer/{campaign_id}?format=pdf&lang=nb")
    assert "Svar 15" in {line.strip() for line in pdf_text(pdf.data, tmp_path).splitlines()}
