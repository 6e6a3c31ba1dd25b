"""One population everywhere (issue #10, item 14): `survey classify`, the definitions page and
the heltid report count the same people under the rule in definitions.yaml, and each states the
rule and N.

Ten living documents on 2026-06-01, counted by hand:
- 6 part-timers at 50 % who want 80 % (self-reported involuntary), one of them temporary;
- 1 at 100 % keeping it;
- left out: 1 student (20 %), 1 leader (100 %), 1 with a job elsewhere (40 %).
In scope 10, left out 3, N = 7: self-reported full time 1, involuntary 6. Temporary staff are
counted (1), students, managers, people with a job elsewhere and pensioners (0) left out.
Before the fix the command counted all 10 (full time 2, voluntary 2, involuntary 6)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from tests.conftest import login_as, make_person

AS_OF = "2026-06-01"
WANTS_MORE = {"stillingsprosent": 50, "onsket_endring": "storre", "onsket_prosent": 80}
PEOPLE = [
    *({**WANTS_MORE} for _ in range(5)),
    {**WANTS_MORE, "ansettelsesform": "midlertidig"},
    {"stillingsprosent": 100, "onsket_endring": "samme"},
    {"stillingsprosent": 20, "onsket_endring": "samme", "arsaker_deltid": ["studier"]},
    {"stillingsprosent": 100, "onsket_endring": "samme", "leder": "yes"},
    {"stillingsprosent": 40, "onsket_endring": "samme", "arsaker_deltid": ["jobb_annet_sted"]},
]


@pytest.fixture
def documents(app):
    ids = [
        make_person(app, unit="omsorg_a", password=None, name=f"Ansatt {index}")
        for index in range(len(PEOPLE))
    ]
    with app.app_context():
        for index, (person_id, data) in enumerate(zip(ids, PEOPLE, strict=True)):
            person = db.session.get(Person, person_id)
            person.ansattnummer = str(2001 + index)
            services.save_revision(
                services.document_for(person),
                {"ansettelsesform": "fast", "leder": "no", **data},
                base=0,
                author=None,
                author_role="import",
                source=Source.IMPORT,
                effective_on=dt.date.fromisoformat(AS_OF),
            )
        db.session.commit()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def test_classify_counts_and_prints_the_population(runner, documents):
    table = runner.invoke(args=["classify", "--as-of", AS_OF, "--profile", "selvrapportert"])
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "Population: 10 living document(s) in force, of whom 3 left out; N = 7" in out
    assert "Left out: Students (1); Managers (1); Have a job elsewhere (1); Pensioners (0)" in out
    assert "Counted although often left out: Temporary staff (1)" in out
    assert "selvrapportert: heltid 1, frivillig 0, ufrivillig 6, mangler data 0" in out
    student = next(line for line in out.splitlines() if line.startswith("2008"))
    assert student.rstrip().endswith("studenter")

    result = runner.invoke(args=["classify", "--as-of", AS_OF, "--format", "json"])
    report = json.loads(result.stdout)
    assert report["population"] == {
        "in_scope": 10,
        "left_out": {"studenter": 1, "ledere": 1, "jobb_annet_sted": 1, "pensjonister": 0},
        "counted_groups": {"midlertidige": 1},
        "n": 7,
    }
    assert sum(report["totals"]["songdalen"].values()) == 7
    assert len(report["people"]) == 10


def test_page_and_report_count_the_same_people(app, client, runner, documents, tmp_path):
    login_as(client, app, make_person(app, "prosjektleder"))
    page = one_line(client.get(f"/klassifisering/?dato={AS_OF}").get_data(as_text=True))
    assert "10 levende dokumenter som gjaldt denne dagen, av dem er 3 holdt utenfor; N = 7." in page
    assert "Studenter (1); Ledere (1); Har jobb et annet sted (1); Pensjonister (0)" in page
    assert "Midlertidig ansatte (1)" in page

    out = tmp_path / "heltid.html"
    args = ["report", "heltid", "--as-of", AS_OF, "--lang", "nb", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    report = one_line(out.read_text(encoding="utf-8"))
    assert "10, av dem er 3 holdt utenfor og 7 telt" in report
    assert "Studenter (1); Ledere (1); Har jobb et annet sted (1); Pensjonister (0)" in report
    assert "Midlertidig ansatte (1)" in report
    assert "Kartlagt 7 av 7" in report
