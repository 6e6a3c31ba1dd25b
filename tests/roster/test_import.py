"""Importing units and the roster from files shaped like HR exports, through the CLI."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import make_person

ERROR = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<column>[^:]+): (?P<message>.+)$")

UNITS = """kode,navn,overordnet
HJT-N,Hjemmetjenesten nord,HJT
HJT,Hjemmetjenesten,HO
HO,Helse og omsorg,
OSA,Omsorgssenter A,HO
PHR,Psykisk helse og rus,HO
"""

# As an HR system on Windows exports it: `;`, decimal comma, cp1252, its own header names.
HEADER = "Ansattnr;Navn;Enhet/avdeling;Yrkesgruppe;Stillingsprosent %;Ansettelsesform;Startdato;Kjønn;Fødselsår;E-post"
ROSTER = [
    "1001;Kari Nordmann;HJT;Sykepleier;80,5;Fast;01.02.2015;K;1980;kari.nordmann@kommune.no",
    "1002;Åse Ødegård;Omsorgssenter A;Helsefagarbeider;60;Fast;15.08.2019;K;1975;",
    "1002;Åse Ødegård;PHR;Helsefagarbeider;40;Midlertidig;01.01.2024;;;",
    "1003;Per Ærlig;HJT-N;Assistent;23,45;vikar;2023-06-01;M;1999;per.aerlig@kommune.no",
]


def cp1252_file(tmp_path, rows, header=HEADER, name="ansatte.csv"):
    path = tmp_path / name
    path.write_bytes("\r\n".join([header, *rows, ""]).encode("cp1252"))
    return path


def invoke(runner, *args):
    return runner.invoke(args=[str(arg) for arg in args])


@pytest.fixture
def units(runner, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_text(UNITS, encoding="utf-8")
    result = invoke(runner, "units", "import", path)
    assert result.exit_code == 0, result.output
    return path


def counts(app):
    from survey.accounts.models import Person, Unit
    from survey.extensions import db
    from survey.roster.models import EmployeeDetails, Position

    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Person, Position, EmployeeDetails, Unit)
        }


def employee(app, ansattnummer):
    """The person as plain data: name, e-mail, own unit, details and positions."""
    from survey.accounts.models import Person
    from survey.extensions import db
    from survey.roster.models import EmployeeDetails, Position

    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.ansattnummer == ansattnummer)).one()
        details = db.session.scalars(
            select(EmployeeDetails).where(EmployeeDetails.person_id == person.id)
        ).first()
        positions = db.session.scalars(
            select(Position).where(Position.person_id == person.id).order_by(Position.unit_id)
        ).all()
        return {
            "name": person.name,
            "email": person.email,
            "unit": person.unit.code if person.unit else None,
            "kjonn": details and str(details.kjonn),
            "fodselsar": details and details.fodselsar,
            "positions": sorted(
                (
                    p.unit.code,
                    p.yrkesgruppe,
                    p.stillingsprosent,
                    str(p.ansettelsesform),
                    p.startdato,
                )
                for p in positions
            ),
        }


def errors_in(output):
    return [match.groupdict() for match in map(ERROR.match, output.splitlines()) if match]


# --- units ------------------------------------------------------------------------------------


def test_units_import_builds_the_tree_with_parents_listed_after_children(app, units):
    from survey.accounts.models import Unit
    from survey.extensions import db

    with app.app_context():
        tree = {
            u.code: (u.name, u.parent.code if u.parent else None)
            for u in db.session.scalars(select(Unit))
        }
    assert tree == {
        "HO": ("Helse og omsorg", None),
        "HJT": ("Hjemmetjenesten", "HO"),
        "HJT-N": ("Hjemmetjenesten nord", "HJT"),
        "OSA": ("Omsorgssenter A", "HO"),
        "PHR": ("Psykisk helse og rus", "HO"),
    }


def test_units_reimport_reports_changes(runner, units, tmp_path):
    path = tmp_path / "enheter2.csv"
    path.write_text(UNITS.replace("Omsorgssenter A,HO", "Omsorgssenter Aa,HJT"), encoding="utf-8")
    result = invoke(runner, "units", "import", path)
    assert result.exit_code == 0, result.output
    assert "changed unit OSA:" in result.output
    assert "navn: Omsorgssenter A -> Omsorgssenter Aa" in result.output
    assert "overordnet: HO -> HJT" in result.output
    assert "0 new, 1 changed, 4 unchanged" in result.output


def test_units_cycle_and_unknown_parent_are_errors_and_nothing_is_imported(app, runner, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_text(
        "kode;navn;overordnet\nA;Enhet A;B\nB;Enhet B;C\nC;Enhet C;A\nD;Enhet D;X\nA;Igjen;\n",
        encoding="utf-8",
    )
    result = invoke(runner, "units", "import", path)
    assert result.exit_code == 1
    found = {(e["line"], e["column"]) for e in errors_in(result.output)}
    assert found == {
        ("2", "overordnet"),
        ("3", "overordnet"),
        ("4", "overordnet"),
        ("5", "overordnet"),
        ("6", "kode"),
    }, result.output
    assert "cycle" in result.output and "unknown unit 'X'" in result.output
    assert counts(app)["unit"] == 0


# --- a clean roster -------------------------------------------------------------------------


def test_clean_cp1252_import(app, runner, units, tmp_path):
    path = cp1252_file(tmp_path, ROSTER)
    result = invoke(runner, "roster", "import", path)
    assert result.exit_code == 0, result.output
    assert "3 new, 0 changed, 0 unchanged, 0 not in the file" in result.output

    kari = employee(app, "1001")
    assert kari == {
        "name": "Kari Nordmann",
        "email": "kari.nordmann@kommune.no",
        "unit": "HJT",
        "kjonn": "k",
        "fodselsar": 1980,
        "positions": [("HJT", "Sykepleier", Decimal("80.50"), "fast", dt.date(2015, 2, 1))],
    }
    per = employee(app, "1003")
    assert per["name"] == "Per Ærlig"
    assert per["positions"] == [
        ("HJT-N", "Assistent", Decimal("23.45"), "midlertidig", dt.date(2023, 6, 1))
    ]
    assert counts(app)["position"] == 4


def test_several_positions_add_up(app, runner, units, tmp_path):
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER))
    assert result.exit_code == 0, result.output
    ase = employee(app, "1002")
    assert ase["name"] == "Åse Ødegård"
    assert [(p[0], p[2], p[3]) for p in ase["positions"]] == [
        ("OSA", Decimal("60.00"), "fast"),
        ("PHR", Decimal("40.00"), "midlertidig"),
    ]
    assert sum(p[2] for p in ase["positions"]) == 100
    # The largest position gives the person's own unit (what an enhetsleder sees).
    assert ase["unit"] == "OSA"
    assert ase["kjonn"] == "k" and ase["email"] is None


def test_reimport_reports_what_changed(app, runner, units, tmp_path):
    assert invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER)).exit_code == 0
    changed = [
        "1001;Kari Nordmann;HJT;Sykepleier;100;Fast;01.02.2015;K;1980;kari.nordmann@kommune.no",
        ROSTER[1],
        ROSTER[2],
        "1004;Ola Nilsen;OSA;Vernepleier;75;F;01.09.2025;M;1990;",
    ]
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, changed, name="v2.csv"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "changed 1001 Kari Nordmann:" in out
    assert (
        "stillinger: HJT Sykepleier 80.5 % fast from 2015-02-01 -> "
        "HJT Sykepleier 100 % fast from 2015-02-01"
    ) in out
    assert "new 1004 Ola Nilsen: OSA Vernepleier 75 % fast from 2025-09-01" in out
    assert "not in the file (kept): 1003 Per Ærlig" in out
    assert "1 new, 1 changed, 1 unchanged, 1 not in the file" in out
    assert employee(app, "1001")["positions"][0][2] == Decimal("100.00")
    assert employee(app, "1003")["positions"]  # reported, not deleted

    again = invoke(runner, "roster", "import", cp1252_file(tmp_path, changed, name="v3.csv"))
    assert "0 new, 0 changed, 3 unchanged, 1 not in the file" in again.output


def test_dry_run_imports_nothing(app, runner, units, tmp_path):
    before = counts(app)
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output and "new 1001 Kari Nordmann" in result.output
    assert counts(app) == before

    units_file = tmp_path / "flere.csv"
    units_file.write_text("kode,navn,overordnet\nTT-A,Tilrettelagte tjenester A,HO\n")
    result = invoke(runner, "units", "import", units_file, "--dry-run")
    assert "new unit TT-A" in result.output
    assert counts(app) == before


def test_create_units(app, runner, units, tmp_path):
    rows = [*ROSTER, "1005;Lise Lund;Integrerte tjenester;Lege;20;Fast;01.01.2020;;;"]
    path = cp1252_file(tmp_path, rows)
    refused = invoke(runner, "roster", "import", path)
    assert refused.exit_code == 1
    assert errors_in(refused.output) == [
        {
            "file": errors_in(refused.output)[0]["file"],
            "line": "6",
            "column": "Enhet/avdeling",
            "message": "unknown unit 'Integrerte tjenester' (use --create-units to add it)",
        }
    ]
    assert counts(app)["person"] == 0

    result = invoke(runner, "roster", "import", path, "--create-units")
    assert result.exit_code == 0, result.output
    assert "new unit Integrerte tjenester" in result.output
    assert employee(app, "1005")["unit"] == "Integrerte tjenester"
    assert counts(app)["unit"] == 6


# --- broken files ---------------------------------------------------------------------------


def test_broken_file_lists_every_error_and_imports_nothing(app, runner, units, tmp_path):
    header = "Ansattnr;Navn;Enhet/avdeling;Yrkesgruppe;Stillingsprosent %;Startdato"
    rows = [
        "1001;Kari Nordmann;HJT;Sykepleier;80,5;01.02.2015",
        "1002;Åse Ødegård;Ukjent enhet;Helsefagarbeider;60;15.08.2019",
        "1003;Per Ærlig;HJT;Assistent;130;01.06.2023",
        "1001;Kari Nordmann;HJT;sykepleier;19,5;01.02.2015",
        "1004;Ola Nilsen;OSA;Vernepleier;75;31.02.2025",
    ]
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, rows, header=header))
    assert result.exit_code == 1
    errors = errors_in(result.output)
    assert {(e["line"], e["column"]) for e in errors} == {
        ("1", "ansettelsesform"),
        ("3", "Enhet/avdeling"),
        ("4", "Stillingsprosent %"),
        ("5", "Ansattnr"),
        ("6", "Startdato"),
    }, result.output
    assert all(e["file"].endswith("ansatte.csv") for e in errors)
    by_line = {e["line"]: e["message"] for e in errors}
    assert by_line["1"] == "missing column"
    assert "Ukjent enhet" in by_line["3"]
    assert "130" in by_line["4"]
    assert "line 2" in by_line["5"]
    assert "31.02.2025" in by_line["6"]
    assert "5 error(s); nothing was imported." in result.output
    assert counts(app) == {"person": 0, "position": 0, "employee_details": 0, "unit": 5}


def test_errors_in_a_reimport_leave_the_stored_roster_alone(app, runner, units, tmp_path):
    assert invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER)).exit_code == 0
    broken = [ROSTER[0].replace("80,5", "90"), ROSTER[1].replace(";Fast;", ";Fast og fri;")]
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, broken, name="b.csv"))
    assert result.exit_code == 1
    assert "'Fast og fri' is neither fast nor midlertidig" in result.output
    assert employee(app, "1001")["positions"][0][2] == Decimal("80.50")


def test_conflicting_person_data_across_rows(app, runner, units, tmp_path):
    rows = [
        ROSTER[0],
        "1001;Kari Nordmann;OSA;Sykepleier;10;Fast;01.02.2015;M;1980;kari@annen.no",
    ]
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, rows))
    assert result.exit_code == 1
    assert {e["column"] for e in errors_in(result.output)} == {"Kjønn", "E-post"}


# --- other file shapes ----------------------------------------------------------------------


def test_utf8_bom_with_commas_and_quoted_decimal_comma(app, runner, units, tmp_path):
    path = tmp_path / "export.csv"
    text = (
        "ansattnummer,navn,enhet,yrkesgruppe,stillingsprosent,ansettelsesform,startdato,epost\n"
        '2001,"Nordmann, Kari",Hjemmetjenesten,sykepleier,"66,67",fast,2020-01-01,KARI@Kommune.no\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = invoke(runner, "roster", "import", path)
    assert result.exit_code == 0, result.output
    kari = employee(app, "2001")
    assert kari["name"] == "Nordmann, Kari"
    assert kari["email"] == "kari@kommune.no"
    assert kari["positions"] == [
        ("HJT", "sykepleier", Decimal("66.67"), "fast", dt.date(2020, 1, 1))
    ]


def test_xlsx_with_mapped_column(app, runner, units, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Personalnummer", "Navn", "Org.ledd", "Stillingstittel", "Stilling %",
                  "Ansettelsesform", "Startdato", "Lønnstrinn"])  # fmt: skip
    sheet.append([3001, "Kari Nordmann", "HJT", "Sykepleier", 0.8, "Fast",
                  dt.datetime(2015, 2, 1), 52])  # fmt: skip
    sheet.append([3002, "Per Ærlig", "OSA", "Assistent", 0.235, "Midlertidig",
                  dt.datetime(2023, 6, 1), 30])  # fmt: skip
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "0.0%"
    path = tmp_path / "ansatte.xlsx"
    workbook.save(path)

    unmapped = invoke(runner, "roster", "import", path)
    assert unmapped.exit_code == 1
    assert [(e["line"], e["column"], e["message"]) for e in errors_in(unmapped.output)] == [
        ("1", "enhet", "missing column")
    ]

    result = invoke(runner, "roster", "import", path, "--map", "org.ledd=enhet")
    assert result.exit_code == 0, result.output
    assert "ignored columns: Lønnstrinn" in result.output
    assert employee(app, "3001")["positions"] == [
        ("HJT", "Sykepleier", Decimal("80.00"), "fast", dt.date(2015, 2, 1))
    ]
    assert employee(app, "3002")["positions"][0][2] == Decimal("23.50")


def test_roster_links_an_existing_user_by_email(app, runner, units, tmp_path):
    person_id = make_person(app, email="kari.nordmann@kommune.no", name="Kari N.")
    result = invoke(runner, "roster", "import", cp1252_file(tmp_path, ROSTER[:1]))
    assert result.exit_code == 0, result.output
    assert "changed 1001 Kari Nordmann:" in result.output
    assert "ansattnummer: (none) -> 1001" in result.output
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.ansattnummer, person.name) == ("1001", "Kari Nordmann")
    assert counts(app)["person"] == 1
