"""Position sizes are register facts: a roster imported into a fresh database gives the heltid
report its population, before anyone is mapped (issue #10, item 11).

The roster reproduces the KS PAI 2017 column for employees in turnus (001:75-105;
docs/domain.md § Position sizes): 1 000 people, counted here by hand:

    0–29,9 %   179 = 20 at 19 % + 157 at 20 % + 29,9 % + 10,1 %        17,9 %
    30–49,9 %   89 = 86 at 40 % + 30 % + 49,9 % + 40,1 %               8,9 %
    50–79,9 %  306 = 302 at 60 % + 50 % + 79,9 % + 50,1 % + 60 % in two
                     positions (35 % + 25 %, one person)                 30,6 %
    80–99,9 %  198 = 195 at 90 % + 80 % + 99,9 % + 90,1 %              19,8 %
    100 %      228                                                       22,8 %

Sum of positions: 179 × 20 − 20 + 89 × 40 + 306 × 60 + 198 × 90 + 228 × 100 (the boundary
pairs and triples add up to the same as their bin's round figure) = 3 560 + 3 560 + 18 360
+ 17 820 + 22 800 = 66 100, so the average is 66 100 / 1 000 = 66,1 %; heltid (100 %)
228 / 1 000 = 22,8 %. Nobody is mapped: «Kartlagt 0 av 1 000».

Then 19 people get a living document, each with the roster's position: 5 at 100 % keeping
it, 6 at 40 % keeping it, 7 at 60 % wanting 80 % and flexible, 1 student at 20 % (left out,
as on the definitions page and in `survey classify`). Counted: 999; bins 178 (17,8 %),
89 (8,9 %), 306 (30,6 %), 198 (19,8 %), 228 (22,8 %); average (66 100 − 20) / 999 = 66,1 %.
Mapped 18 of 999: full time 5, voluntary 6, involuntary 7 (Songdalen and self-reported);
7 want a larger position, 7 × 20 = 140 points = 1,4 årsverk."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import Source

AS_OF = "2026-11-30"

FLEXIBLE = {
    "onsket_endring": "storre",
    "onsket_prosent": 80,
    "villig_helger": "hver_3",
    "villig_langvakter": "yes",
    "villig_andre_enheter": "annen_enhet",
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "no",
    "oppstart_uker": 2,
    "arsaker_deltid": ["ikke_tilbudt"],
}


def ks_pai_2017_rows() -> list[tuple[str, str]]:
    """(ansattnummer, stillingsprosent as the HR system writes it), one row per position."""
    sizes = (
        ["19"] * 20
        + ["20"] * 157
        + ["29,9", "10,1"]
        + ["40"] * 86
        + ["30", "49,9", "40,1"]
        + ["60"] * 302
        + ["50", "79,9", "50,1"]
        + ["90"] * 195
        + ["80", "99,9", "90,1"]
        + ["100"] * 228
    )
    rows = [(str(10000 + index), size) for index, size in enumerate(sizes)]
    rows += [("19999", "35"), ("19999", "25")]  # one person, two positions adding up to 60 %
    return rows


def write_roster(path) -> None:
    lines = ["ansattnummer;navn;enhet;yrkesgruppe;stillingsprosent;ansettelsesform;startdato"]
    for index, (number, size) in enumerate(ks_pai_2017_rows()):
        unit = ("Hjemmetjenesten", "Omsorgssenter A", "Omsorgssenter B")[index % 3]
        lines.append(f"{number};Ansatt {number};{unit};helsefagarbeider;{size};fast;01.01.2020")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("tr", "p", "dd", "dt", "li", "h1", "h2", "h3", "caption", "figcaption"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts).replace("\u00a0", " ").replace("\u202f", " ")
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in text.splitlines())


def heltid_html(runner, tmp_path, name) -> str:
    out = tmp_path / f"{name}.html"
    args = ["report", "heltid", "--as-of", AS_OF, "--lang", "nb", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return visible_text(out.read_text(encoding="utf-8"))


def has_row(text: str, *cells: str) -> bool:
    return re.search(r"^" + r" ".join(re.escape(c) for c in cells) + r"(\s|$)", text, re.M)


@pytest.fixture
def imported(runner, tmp_path):
    roster = tmp_path / "personalliste.csv"
    write_roster(roster)
    result = runner.invoke(args=["roster", "import", str(roster), "--create-units"])
    assert result.exit_code == 0, result.output


def test_a_roster_alone_gives_the_ks_pai_2017_position_sizes(runner, tmp_path, imported):
    text = heltid_html(runner, tmp_path, "roster")
    for row in (
        ("0–29,9 %", "179", "17,9 %"),
        ("30–49,9 %", "89", "8,9 %"),
        ("50–79,9 %", "306", "30,6 %"),
        ("80–99,9 %", "198", "19,8 %"),
        ("100 %", "228", "22,8 %"),
        ("Totalt", "1 000", "100,0 %"),
        ("Gjennomsnittlig stillingsstørrelse", "66,1 %"),
        ("Andel heltid (100 % eller mer)", "22,8 %"),
    ):
        assert has_row(text, *row), row
    assert "1 000, av dem er 0 holdt utenfor og 1 000 telt" in text
    assert "Kartlagt 0 av 1 000" in text

    out = tmp_path / "roster.csv"
    args = ["report", "heltid", "--as-of", AS_OF, "--lang", "nb", "--out", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    for line in (
        "0–29,9 %;179;17,9",
        "30–49,9 %;89;8,9",
        "50–79,9 %;306;30,6",
        "80–99,9 %;198;19,8",
        "100 %;228;22,8",
        "Totalt;1000;100,0",
        "Gjennomsnittlig stillingsstørrelse;66,1",
    ):
        assert line in lines, line


def test_mapped_figures_state_their_coverage(app, runner, tmp_path, imported):
    with app.app_context():
        people = {
            p.ansattnummer: p
            for p in db.session.scalars(select(Person).where(Person.ansattnummer.is_not(None)))
        }
        by_size: dict[str, list[Person]] = {}
        for number, size in ks_pai_2017_rows():
            by_size.setdefault(size, []).append(people[number])
        mapped = [
            *(
                (p, {"stillingsprosent": 100, "onsket_endring": "samme"})
                for p in by_size["100"][:5]
            ),
            *((p, {"stillingsprosent": 40, "onsket_endring": "samme"}) for p in by_size["40"][:6]),
            *((p, {"stillingsprosent": 60, **FLEXIBLE}) for p in by_size["60"][:7]),
            (
                by_size["20"][0],
                {"stillingsprosent": 20, "onsket_endring": "samme", "arsaker_deltid": ["studier"]},
            ),
        ]
        for person, data in mapped:
            services.save_revision(
                services.document_for(person),
                {"ansettelsesform": "fast", "leder": "no", **data},
                base=0,
                author=None,
                author_role="import",
                source=Source.IMPORT,
                effective_on=dt.date(2026, 6, 1),
            )
        db.session.commit()

    text = heltid_html(runner, tmp_path, "mapped")
    for row in (
        ("0–29,9 %", "178", "17,8 %"),
        ("30–49,9 %", "89", "8,9 %"),
        ("50–79,9 %", "306", "30,6 %"),
        ("80–99,9 %", "198", "19,8 %"),
        ("100 %", "228", "22,8 %"),
        ("Totalt", "999", "100,0 %"),
        ("Gjennomsnittlig stillingsstørrelse", "66,1 %"),
        ("Heltid", "5", "27,8 %"),
        ("Frivillig deltid", "6", "33,3 %"),
        ("Ufrivillig deltid", "7", "38,9 %"),
        ("Ønsker større stilling", "7", "38,9 %"),
        ("Ønsket økning i årsverk (større stillinger)", "1,4"),
    ):
        assert has_row(text, *row), row
    assert "1 000, av dem er 1 holdt utenfor og 999 telt" in text
    assert "Studenter (1)" in text
    assert "Kartlagt 18 av 999" in text


def test_people_who_left_the_roster_are_not_counted(app, runner, tmp_path, imported):
    """A roster import that no longer lists someone marks them as left; their positions are
    kept (history), but the report's roster part counts only those still on it."""
    with app.app_context():
        people = db.session.scalars(select(Person).order_by(Person.id).limit(3)).all()
        for person in people:
            person.left_roster_on = dt.date(2026, 11, 1)
        db.session.commit()
    text = heltid_html(runner, tmp_path, "left")
    assert "997, av dem er 0 holdt utenfor og 997 telt" in text
    assert "Kartlagt 0 av 997" in text
