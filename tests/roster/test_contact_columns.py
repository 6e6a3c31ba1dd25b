"""The roster's contact columns (issue 12, item 1): `mobil` read as a mobile number in E.164,
invalid numbers named by their line; people who are no longer in the file marked as having
left the roster, and on it again when they come back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.roster.reading import InvalidValue
from survey.roster.values import parse_mobile
from tests.roster.test_import import ERROR, invoke

UNITS = "kode,navn,overordnet\nHO,Helse og omsorg,\nHJT,Hjemmetjenesten,HO\n"
HEADER = "Ansattnr;Navn;Enhet;Yrkesgruppe;Stillingsprosent %;Ansettelsesform;Startdato;E-post;Mobil"


@pytest.fixture
def units(runner, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_text(UNITS, encoding="utf-8")
    result = invoke(runner, "units", "import", path)
    assert result.exit_code == 0, result.output


def roster_file(tmp_path, rows, header=HEADER, name="ansatte.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows, ""]), encoding="utf-8")
    return path


def people(app):
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        return {
            p.ansattnummer: (p.email, p.mobile, p.left_roster_on)
            for p in db.session.scalars(select(Person))
        }


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("412 34 567", "+4741234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("4791234567", "+4791234567"),  # a spreadsheet ate the «+»
        (91234567.0, "+4791234567"),  # an XLSX number cell
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_mobile_numbers_are_normalised_to_e164(text, e164):
    assert parse_mobile(text) == e164


@pytest.mark.parametrize(
    "text", ["22 12 34 56", "1234", "59123456", "+4412", "ring meg", "800 12 345"]
)
def test_landlines_and_nonsense_are_not_mobile_numbers(text):
    with pytest.raises(InvalidValue) as raised:
        parse_mobile(text)
    assert raised.value.problem.code == "not_a_mobile"


def test_mobil_and_epost_are_stored(app, runner, units, tmp_path):
    rows = [
        "1;Kari;HJT;Sykepleier;80;Fast;;kari@kommune.no;912 34 567",
        "2;Per;HJT;Assistent;50;Fast;;;+47 41234567",
        "3;Åse;HO;Sykepleier;100;Fast;;;",
    ]
    result = invoke(runner, "roster", "import", roster_file(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert people(app) == {
        "1": ("kari@kommune.no", "+4791234567", None),
        "2": (None, "+4741234567", None),
        "3": (None, None, None),
    }

    # A blank cell keeps what is stored; a new number shows in the report and is stored.
    rows = [
        "1;Kari;HJT;Sykepleier;80;Fast;;kari@kommune.no;",
        "2;Per;HJT;Assistent;50;Fast;;;98765432",
        "3;Åse;HO;Sykepleier;100;Fast;;;",
    ]
    result = invoke(runner, "roster", "import", roster_file(tmp_path, rows, name="v2.csv"))
    assert result.exit_code == 0, result.output
    assert "mobil: +4741234567 -> +4798765432" in result.output
    assert "0 new, 1 changed, 2 unchanged" in result.output
    assert people(app)["1"][1] == "+4791234567"
    assert people(app)["2"][1] == "+4798765432"


@pytest.mark.parametrize("header", ["Mobilnummer", "Mobiltelefon", "Mobile phone"])
def test_mobil_synonyms(app, runner, units, tmp_path, header):
    path = roster_file(
        tmp_path,
        ["1;Kari;HJT;Sykepleier;80;Fast;;;91234567"],
        header=HEADER.replace("Mobil", header),
    )
    result = invoke(runner, "roster", "import", path)
    assert result.exit_code == 0, result.output
    assert people(app)["1"][1] == "+4791234567"


def test_a_telefon_column_is_not_taken_for_mobile_numbers(app, runner, units, tmp_path):
    """«Telefon» often holds landlines: read as mobil, every row would fail."""
    path = roster_file(
        tmp_path,
        ["1;Kari;HJT;Sykepleier;80;Fast;;;22 12 34 56"],
        header=HEADER.replace("Mobil", "Telefon"),
    )
    result = invoke(runner, "roster", "import", path)
    assert result.exit_code == 0, result.output
    assert people(app)["1"][1] is None


def test_invalid_numbers_and_addresses_are_named_by_line(app, runner, units, tmp_path):
    rows = [
        "1;Kari;HJT;Sykepleier;80;Fast;;kari@kommune.no;91234567",
        "2;Per;HJT;Assistent;50;Fast;;per(at)kommune.no;",
        "3;Åse;HO;Sykepleier;100;Fast;;;22 12 34 56",
        "4;Ola;HO;Sykepleier;100;Fast;;;912345",
        # The same person on two lines with two different numbers.
        "1;Kari;HO;Sykepleier;20;Fast;;;98765432",
    ]
    result = invoke(runner, "roster", "import", roster_file(tmp_path, rows))
    assert result.exit_code == 1
    errors = [m.groupdict() for m in map(ERROR.match, result.output.splitlines()) if m]
    assert [(e["file"].endswith("ansatte.csv"), e["line"], e["column"]) for e in errors] == [
        (True, "3", "E-post"),
        (True, "4", "Mobil"),
        (True, "5", "Mobil"),
        (True, "6", "Mobil"),
    ], result.output
    assert errors[1]["message"] == (
        "'22 12 34 56' is not a mobile number (8 digits, or +country code)"
    )
    assert "+4798765432 differs from +4791234567" in errors[3]["message"]
    assert people(app) == {}  # all or nothing


def test_web_preview_shows_the_mobile_number_and_its_errors(app, client, runner, units, tmp_path):
    from tests.conftest import Respondent, login_as, make_person
    from tests.roster.test_web_import import PREVIEW_URL, text, upload

    app.instance_path = str(tmp_path / "instance")
    rows = ["1;Kari;HJT;Sykepleier;80;Fast;;;"]
    assert invoke(runner, "roster", "import", roster_file(tmp_path, rows)).exit_code == 0
    login_as(client, app, make_person(app, "admin"))
    with client.session_transaction() as session:
        session["lang"] = "en"
    admin = Respondent(client)

    good = "\n".join([HEADER, "1;Kari;HJT;Sykepleier;80;Fast;;;912 34 567", ""])
    assert upload(admin, good.encode()).status_code == 302
    admin.get(PREVIEW_URL)
    assert "Mobile number – → +4791234567" in text(admin)

    bad = "\n".join([HEADER, "1;Kari;HJT;Sykepleier;80;Fast;;;12", ""])
    upload(admin, bad.encode())
    admin.get(PREVIEW_URL)
    assert "'12' is not a mobile number" in text(admin)


def test_people_not_in_the_file_are_marked_as_left_and_back_when_listed(
    app, runner, units, tmp_path
):
    from survey.accounts.models import Person
    from survey.extensions import db
    from survey.roster.importing import apply_roster, plan_roster
    from survey.roster.reading import read_file
    from tests.conftest import make_person

    staff = make_person(app, "prosjektleder")  # no ansattnummer: never on the roster
    rows = [
        "1;Kari;HJT;Sykepleier;80;Fast;;;",
        "2;Per;HJT;Assistent;50;Fast;;;",
        "3;Åse;HO;Sykepleier;100;Fast;;;",
    ]
    assert invoke(runner, "roster", "import", roster_file(tmp_path, rows)).exit_code == 0
    assert {k: v[2] for k, v in people(app).items()} == {
        "1": None,
        "2": None,
        "3": None,
        None: None,
    }

    from survey.db import unit_of_work

    def import_on(day, lines, name):
        with app.app_context(), unit_of_work():
            plan = plan_roster(read_file(roster_file(tmp_path, lines, name=name)))
            assert plan.ok, plan.errors
            apply_roster(plan, today=day)

    import_on(dt.date(2026, 3, 1), rows[:1], "v2.csv")
    assert {k: v[2] for k, v in people(app).items()} == {
        "1": None,
        "2": dt.date(2026, 3, 1),
        "3": dt.date(2026, 3, 1),
        None: None,
    }
    # Still missing a month later: the first day they were missing stays.
    import_on(dt.date(2026, 4, 1), rows[:2][:1] + rows[2:], "v3.csv")
    assert {k: v[2] for k, v in people(app).items()} == {
        "1": None,
        "2": dt.date(2026, 3, 1),
        "3": None,  # back
        None: None,
    }
    with app.app_context():
        assert db.session.get(Person, staff).left_roster_on is None
