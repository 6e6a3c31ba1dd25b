"""`survey mappings import`: historical mappings from spreadsheets as dated revisions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Person
from survey.audit.models import AuditEntry
from survey.extensions import db
from survey.living.models import LivingDocument, Revision, Source
from tests.conftest import make_person

ROSTER = {"2001": "Åse Ønskemer", "2002": "Bjørn Fornøyd", "2003": "Cato Heltid"}

# Windows-1252 with `;`, decimal comma and columns we do not know.
YEAR_2014 = (
    "Ansattnr;Navn;stillingsprosent;onsket_endring;vakter_na;neste_oppfolging;Merknad\r\n"
    "2001;Åse Ønskemer;62,5;storre;dag,kveld;15.01.2015;vil ha mer\r\n"
    "2002;Bjørn Fornøyd;40;storre;natt;;\r\n"
    "2003;Cato Heltid;100;samme;dag;;\r\n"
)
YEAR_2015 = (
    "Ansattnr;Navn;stillingsprosent;onsket_endring;vakter_na\r\n"
    "2001;Åse Ønskemer;100;samme;dag kveld natt\r\n"
    "2002;Bjørn Fornøyd;;Samme;\r\n"
)


@pytest.fixture
def roster(app):
    ids = {}
    for number, name in ROSTER.items():
        ids[number] = make_person(app, password=None, name=name)
    with app.app_context():
        for number, person_id in ids.items():
            db.session.get(Person, person_id).ansattnummer = number
        db.session.commit()
    return ids


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return str(path)


def import_file(runner, path, as_of, *args):
    return runner.invoke(args=["mappings", "import", path, "--as-of", as_of, *args])


def selvrapportert(runner, as_of):
    args = ["classify", "--as-of", as_of, "--profile", "selvrapportert", "--format", "json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {p["ansattnummer"]: p["profiles"]["selvrapportert"]["status"] for p in report["people"]}


def revisions(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Revision))


def audit_entries(app):
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "mappings"))
        )


def test_two_years_are_reproduced_by_classify(app, runner, roster, tmp_path):
    first = import_file(runner, write(tmp_path, "2014.csv", YEAR_2014), "2014-12-31")
    assert first.exit_code == 0, first.output
    assert "ignored columns: Navn, Merknad" in first.stdout
    assert "new document 2001 Åse Ønskemer:" in first.stdout
    assert "  stillingsprosent: (none) -> 62.5" in first.stdout
    assert "3 new document(s), 0 new revision(s), 0 unchanged" in first.stdout

    second = import_file(runner, write(tmp_path, "2015.csv", YEAR_2015), "2015-12-31")
    assert second.exit_code == 0, second.output
    assert "new revision 2002 Bjørn Fornøyd:" in second.stdout
    assert "  onsket_endring: storre -> samme" in second.stdout
    assert "0 new document(s), 2 new revision(s), 0 unchanged" in second.stdout

    assert selvrapportert(runner, "2013-12-31") == {}
    assert selvrapportert(runner, "2014-12-31") == {
        "2001": "involuntary",
        "2002": "involuntary",
        "2003": "full_time",
    }
    assert selvrapportert(runner, "2015-12-31") == {
        "2001": "full_time",
        "2002": "voluntary",
        "2003": "full_time",
    }

    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.ansattnummer == "2002")).one()
        document = db.session.scalars(
            select(LivingDocument).where(LivingDocument.person_id == person.id)
        ).one()
        old, new = document.revisions
        assert old.effective_on == dt.date(2014, 12, 31)
        assert new.effective_on == dt.date(2015, 12, 31)
        assert new.source == Source.IMPORT and new.author_role == "import"
        assert new.questionnaire_id == "kartleggingssamtale"
        # A blank cell keeps the value in force.
        assert new.data == {
            "stillingsprosent": 40,
            "onsket_endring": "samme",
            "vakter_na": ["natt"],
        }
        assert new.changed_fields == ["onsket_endring"]
        first_person = db.session.scalars(select(Person).where(Person.ansattnummer == "2001"))
        document = db.session.scalars(
            select(LivingDocument).where(LivingDocument.person_id == first_person.one().id)
        ).one()
        assert document.revisions[0].data["neste_oppfolging"] == "2015-01-15"
        assert document.revisions[0].data["vakter_na"] == ["dag", "kveld"]
        assert document.revisions[1].data["vakter_na"] == ["dag", "kveld", "natt"]

    entries = audit_entries(app)
    assert len(entries) == 2
    assert entries[0].action == "change"
    assert entries[0].detail["created"] == 3
    assert entries[1].detail["revised"] == 2

    # The same file again changes nothing.
    again = import_file(runner, write(tmp_path, "2015.csv", YEAR_2015), "2015-12-31")
    assert again.exit_code == 0, again.output
    assert "0 new document(s), 0 new revision(s), 2 unchanged" in again.stdout
    assert revisions(app) == 5


def test_a_broken_file_lists_every_error_and_imports_nothing(app, runner, roster, tmp_path):
    text = (
        "ansattnummer;stillingsprosent;onsket_endring;neste_oppfolging\r\n"
        "9999;50;storre;\r\n"
        "2001;50;kanskje;\r\n"
        "2002;130;storre;\r\n"
        "2001;60;storre;\r\n"
        "2003;100;samme;31.02.2015\r\n"
    )
    result = import_file(runner, write(tmp_path, "feil.csv", text), "2014-12-31")
    assert result.exit_code == 1
    path = "feil.csv"
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].endswith(":2: ansattnummer: no person with ansattnummer 9999 in the roster")
    assert ":3: onsket_endring: 'kanskje' is not one of storre, mindre, samme" in lines[1]
    assert lines[2].endswith(":4: stillingsprosent: 130 is not between 0 and 100")
    assert lines[3].endswith(":5: ansattnummer: 2001 is already on line 3")
    assert ":6: neste_oppfolging: '31.02.2015' is not a date" in lines[4]
    assert all(path in line for line in lines)
    assert "5 error(s); nothing was imported." in result.stderr
    assert revisions(app) == 0
    assert audit_entries(app) == []


def test_dry_run_shows_the_changes_and_imports_nothing(app, runner, roster, tmp_path):
    path = write(tmp_path, "2014.csv", YEAR_2014)
    result = import_file(runner, path, "2014-12-31", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "new document 2003 Cato Heltid:" in result.stdout
    assert "  vakter_na: (none) -> dag;kveld" in result.stdout
    assert "dry run: nothing was imported." in result.stderr
    assert revisions(app) == 0
    assert audit_entries(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LivingDocument)) == 0


def test_map_option_and_bad_arguments(app, runner, roster, tmp_path):
    path = write(tmp_path, "prosent.csv", "Ansatt nr;Stilling %\r\n2001;75\r\n")
    result = import_file(runner, path, "2016-01-01", "--map", "Stilling %=stillingsprosent")
    assert result.exit_code == 0, result.output
    assert "  stillingsprosent: (none) -> 75" in result.stdout
    assert selvrapportert(runner, "2016-01-01") == {"2001": "not_enough_data"}

    bad_date = import_file(runner, path, "31.12.2016")
    assert bad_date.exit_code == 1
    assert "not a date" in bad_date.output
    unknown = import_file(runner, path, "2016-01-01", "--map", "Stilling %=prosenten")
    assert unknown.exit_code == 1
    assert "unknown field 'prosenten'" in unknown.stdout
    missing = runner.invoke(args=["mappings", "import", path])
    assert missing.exit_code == 2
    assert revisions(app) == 1
