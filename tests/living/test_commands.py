"""`survey classify` and `survey export living-documents` read living documents as they
stood on a day."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.accounts.models import Person
from survey.audit.models import AuditEntry
from survey.extensions import db
from survey.living import services
from survey.living.models import Confirmation, ConfirmationKind, Source
from tests.conftest import make_person

AS_OF = "2026-06-01"

DRAMMEN_YES = {
    "onsket_endring": "storre",
    "kvalifisert": "yes",
    "oppstart_uker": 4,
    "villig_andre_enheter": "annen_enhet",
    "villig_langvakter": "yes",
    "arsaker_deltid": ["fant_ikke_storre"],
}

# ansattnummer: name, unit, then (effective_on, data) per revision.
PEOPLE = {
    "1001": (
        "Anne Ufrivillig",
        "omsorg_a",
        [("2026-02-01", {"stillingsprosent": 50, **DRAMMEN_YES})],
    ),
    "1002": (
        "Bjørn Ikke Kvalifisert",
        "omsorg_a",
        [("2026-02-01", {"stillingsprosent": 60, **DRAMMEN_YES, "kvalifisert": "no"})],
    ),
    "1003": ("Cecilie Heltid", "omsorg_b", [("2026-02-01", {"stillingsprosent": 100})]),
    "1004": (
        "Dag Fornøyd",
        "omsorg_b",
        [("2026-02-01", {"stillingsprosent": 40, "onsket_endring": "samme"})],
    ),
    # An older state before AS_OF and a newer one after it.
    "1005": (
        "Eva Endret",
        "omsorg_a",
        [
            ("2026-01-10", {"stillingsprosent": 50, "onsket_endring": "storre"}),
            ("2026-09-01", {"stillingsprosent": 100, "onsket_endring": "samme"}),
        ],
    ),
    # Mapped only after AS_OF.
    "1006": ("Frode Senere", None, [("2026-08-01", {"stillingsprosent": 75})]),
}


@pytest.fixture
def documents(app):
    leader_id = make_person(app, "prosjektleder", name="Pia Prosjektleder")
    ids = {
        number: make_person(app, unit=unit, password=None, name=name)
        for number, (name, unit, _) in PEOPLE.items()
    }
    with app.app_context():
        leader = db.session.get(Person, leader_id)
        for number, (_, _, revisions) in PEOPLE.items():
            person = db.session.get(Person, ids[number])
            person.ansattnummer = number
            document = services.document_for(person)
            for base, (day, data) in enumerate(revisions):
                services.save_revision(
                    document,
                    data,
                    base=base,
                    author=leader,
                    author_role="prosjektleder",
                    source=Source.CONVERSATION,
                    effective_on=dt.date.fromisoformat(day),
                )
            if number == "1001":
                for day in ("2026-03-01", "2026-07-01"):
                    db.session.add(
                        Confirmation(
                            document_id=document.id,
                            revision_number=1,
                            kind=ConfirmationKind.CONFIRMED,
                            person_id=person.id,
                            at=dt.datetime.fromisoformat(f"{day}T10:00:00+00:00"),
                        )
                    )
        db.session.commit()
    return ids


def classify_json(runner, *args):
    result = runner.invoke(args=["classify", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def statuses(report, profile):
    return {p["ansattnummer"]: p["profiles"][profile]["status"] for p in report["people"]}


def test_classify_json_statuses_and_totals_per_profile(runner, documents):
    report = classify_json(runner, "--as-of", AS_OF)
    assert report["as_of"] == AS_OF
    assert report["heltid_threshold"] == ">= 100"
    assert [p["ansattnummer"] for p in report["people"]] == ["1001", "1002", "1003", "1004", "1005"]
    assert statuses(report, "selvrapportert") == {
        "1001": "involuntary",
        "1002": "involuntary",
        "1003": "full_time",
        "1004": "voluntary",
        "1005": "involuntary",
    }
    assert statuses(report, "drammen") == {
        "1001": "involuntary",
        "1002": "voluntary",
        "1003": "full_time",
        "1004": "voluntary",
        "1005": "not_enough_data",
    }
    assert report["totals"]["selvrapportert"] == {
        "full_time": 1,
        "voluntary": 1,
        "involuntary": 3,
        "not_enough_data": 0,
    }
    assert report["totals"]["drammen"] == {
        "full_time": 1,
        "voluntary": 2,
        "involuntary": 1,
        "not_enough_data": 1,
    }
    bjorn = report["people"][1]
    assert bjorn["name"] == "Bjørn Ikke Kvalifisert"
    criteria = {c["id"]: c["outcome"] for c in bjorn["profiles"]["drammen"]["criteria"]}
    assert criteria["qualified"] == "failed"
    assert criteria["part_time"] == "met"


def test_classify_reproduces_the_state_on_the_as_of_date(runner, documents):
    before = classify_json(runner, "--as-of", "2026-01-31", "--profile", "selvrapportert")
    assert statuses(before, "selvrapportert") == {"1005": "involuntary"}
    assert list(before["totals"]) == ["selvrapportert"]

    later = classify_json(runner, "--as-of", "2026-10-01", "--profile", "drammen")
    assert statuses(later, "drammen")["1005"] == "full_time"
    assert statuses(later, "drammen")["1006"] == "not_enough_data"  # only the position known
    assert later["totals"]["drammen"]["full_time"] == 2

    # The same day twice gives the same answer.
    assert classify_json(runner, "--as-of", AS_OF) == classify_json(runner, "--as-of", AS_OF)


def test_classify_heltid_threshold(runner, documents):
    report = classify_json(runner, "--as-of", AS_OF, "--heltid", ">= 50")
    assert report["heltid_threshold"] == ">= 50"
    assert statuses(report, "selvrapportert")["1001"] == "full_time"
    assert statuses(report, "selvrapportert")["1004"] == "voluntary"


def test_classify_table_and_csv(runner, documents):
    table = runner.invoke(args=["classify", "--as-of", AS_OF])
    assert table.exit_code == 0, table.output
    anne = next(line for line in table.stdout.splitlines() if line.startswith("1001"))
    assert "Anne Ufrivillig" in anne and "50" in anne and "ufrivillig" in anne
    assert "drammen: heltid 1, frivillig 2, ufrivillig 1, mangler data 1" in table.stdout

    result = runner.invoke(args=["classify", "--as-of", AS_OF, "--format", "csv"])
    assert result.exit_code == 0, result.output
    # `;`, UTF-8 with BOM: CSV for Norwegian Excel.
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    assert [row["ansattnummer"] for row in rows] == ["1001", "1002", "1003", "1004", "1005"]
    assert rows[1]["drammen"] == "voluntary"
    assert rows[1]["selvrapportert"] == "involuntary"
    assert rows[2]["stillingsprosent"] == "100"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "oslo"], "unknown profile 'oslo'"),
        (["--as-of", "2026-13-01"], "not a date"),
        (["--as-of", "i går"], "not a date"),
        (["--heltid", "120"], "--heltid"),
        (["--heltid", "mye"], "--heltid"),
    ],
)
def test_classify_bad_arguments(runner, app, args, message):
    result = runner.invoke(args=["classify", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_export_csv_round_trip_and_audit(runner, documents, app, tmp_path):
    out = tmp_path / "levende.csv"
    result = runner.invoke(
        args=["export", "living-documents", "--format", "csv", "--as-of", AS_OF, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file, delimiter=";")
        rows = list(reader)
        columns = reader.fieldnames
    assert columns[:6] == [
        "ansattnummer",
        "navn",
        "registrert_enhet",
        "revisjon",
        "gjelder_fra",
        "sist_bekreftet",
    ]
    fields = columns[6:]
    assert fields == sorted(fields)
    assert {"stillingsprosent", "onsket_endring", "kvalifisert"} <= set(fields)
    by_number = {row["ansattnummer"]: row for row in rows}
    assert sorted(by_number) == ["1001", "1002", "1003", "1004", "1005"]
    anne = by_number["1001"]
    assert (anne["navn"], anne["registrert_enhet"], anne["revisjon"]) == (
        "Anne Ufrivillig",
        "omsorg_a",
        "1",
    )
    assert anne["sist_bekreftet"] == "2026-03-01"  # the July confirmation came later
    assert anne["arsaker_deltid"] == "fant_ikke_storre"
    eva = by_number["1005"]
    assert (eva["revisjon"], eva["gjelder_fra"], eva["stillingsprosent"]) == (
        "1",
        "2026-01-10",
        "50",
    )
    assert by_number["1003"]["kvalifisert"] == ""

    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "living_documents")
        ).one()
        assert entry.action == "export"
        assert entry.detail == {"format": "csv", "count": 5}


def test_export_xlsx_round_trip_current_revisions(runner, documents, tmp_path):
    out = tmp_path / "levende.xlsx"
    result = runner.invoke(
        args=["export", "living-documents", "--format", "xlsx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    header, rows = values[0], values[1:]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    # Without --as-of: everyone's current revision, including those mapped later.
    assert sorted(by_number) == ["1001", "1002", "1003", "1004", "1005", "1006"]
    eva = by_number["1005"]
    assert (eva["revisjon"], eva["gjelder_fra"], eva["stillingsprosent"]) == (2, "2026-09-01", 100)
    assert by_number["1001"]["sist_bekreftet"] == "2026-07-01"
    assert by_number["1006"]["registrert_enhet"] is None


def test_export_json_to_standard_output(runner, documents):
    result = runner.invoke(
        args=["export", "living-documents", "--format", "json", "--as-of", AS_OF]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert rows[0]["arsaker_deltid"] == ["fant_ikke_storre"]
    assert rows[2]["onsket_endring"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "needs --out"),
        (["--format", "csv", "--as-of", "01.06.2026"], "not a date"),
    ],
)
def test_export_bad_arguments(runner, app, args, message):
    result = runner.invoke(args=["export", "living-documents", *args])
    assert result.exit_code == 1
    assert message in result.output
    with app.app_context():
        assert (
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all() == []
        )
