"""Importing the roster and units in the browser: upload, preview, map columns, import once."""

from __future__ import annotations

import datetime as dt
import html as html_module
import io
import os
import re
import time
from decimal import Decimal

import pytest

from tests.admin.conftest import ADMIN_EMAIL, audit_entries
from tests.conftest import Respondent, login_as, make_person
from tests.roster.test_import import counts, employee

UNITS = """kode;navn;overordnet
HO;Helse og omsorg;
HJT;Hjemmetjenesten;HO
OSA;Omsorgssenter Ødegården;HO
PHR;Psykisk helse og rus;HO
"""

# As an HR system on Windows exports it: `;`, decimal comma, Windows-1252, its own header names.
HEADER = "Ansattnr;Navn;Enhet/avdeling;Yrkesgruppe;Stillingsprosent %;Ansettelsesform;Startdato;Kjønn;Fødselsår;E-post"
ROWS = [
    "1001;Kari Nordmann;HJT;Sykepleier;80,5;Fast;01.02.2015;K;1980;kari.nordmann@kommune.no",
    "1002;Åse Ødegård;Omsorgssenter Ødegården;Helsefagarbeider;60;Fast;15.08.2019;K;1975;",
    "1002;Åse Ødegård;PHR;Helsefagarbeider;40;Midlertidig;01.01.2024;;;",
    "1003;Per Ærlig;HJT;Assistent;23,45;vikar;2023-06-01;M;1999;per.aerlig@kommune.no",
]

ROSTER_URL = "/admin/ansatte/import"
PREVIEW_URL = "/admin/ansatte/import/kontroll"
UNITS_URL = "/admin/enheter/import"
UNITS_PREVIEW_URL = "/admin/enheter/import/kontroll"


def windows_csv(rows, header=HEADER) -> bytes:
    return "\r\n".join([header, *rows, ""]).encode("cp1252")


@pytest.fixture(autouse=True)
def instance_folder(app, tmp_path):
    """Uploads go to the instance folder: a fresh one per test, not the checkout's."""
    app.instance_path = str(tmp_path / "instance")
    return tmp_path / "instance"


@pytest.fixture
def admin(app, client):
    """A browser logged in as HR (as in tests/admin), reading the pages in English (the
    messages asserted below); `admin.post` adds the page's CSRF token."""
    login_as(client, app, make_person(app, "admin", email=ADMIN_EMAIL, name="Hanne Personalsjef"))
    with client.session_transaction() as session:
        session["lang"] = "en"
    return Respondent(client)


@pytest.fixture
def units(app, runner, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_bytes(UNITS.encode("cp1252"))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output


def upload(admin, data: bytes, name="ansatte.csv", url=ROSTER_URL, **fields):
    admin.get(url)
    return admin.post(url, {"file": (io.BytesIO(data), name), **fields})


def text(admin) -> str:
    """The page as text, entities resolved, whitespace collapsed."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", admin.html)).split())


def error_rows(admin) -> list[tuple[str, str, str]]:
    table = re.search(r'<table class="import-errors">.*?<tbody>(.*?)</tbody>', admin.html, re.S)
    assert table, "no table of errors"
    return [
        tuple(html_module.unescape(cell.strip()) for cell in cells)
        for cells in re.findall(
            r"<tr><td[^>]*>(.*?)</td><td><strong>(.*?)</strong><br>(.*?)</td></tr>", table.group(1)
        )
    ]


def has_import_button(admin) -> bool:
    return 'name="action" value="import"' in admin.html


def form_fields(admin) -> dict[str, str]:
    """The preview form as the browser would send it unchanged (selects as selected)."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', admin.html))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)">(.*?)</select>', admin.html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        fields[name] = selected.group(1)
    if re.search(r'id="create_units" name="create_units" value="1" checked', admin.html):
        fields["create_units"] = "1"
    return fields


def press(admin, action: str, url=PREVIEW_URL, **changes):
    data = {**form_fields(admin), "action": action, **changes}
    return admin.post(url, data)


def uploads(folder) -> list[str]:
    path = folder / "uploads"
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


# --- a clean file -----------------------------------------------------------------------------


def test_preview_shows_the_changes_and_import_saves_them_once(app, admin, units, instance_folder):
    before = counts(app)
    response = upload(admin, windows_csv(ROWS))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PREVIEW_URL)
    assert len(uploads(instance_folder)) == 1

    preview = admin.get(PREVIEW_URL)
    assert preview.status_code == 200
    page = text(admin)
    assert "3 new, 0 changed, 0 unchanged, 0 not in the file (kept)." in page
    assert "1002 Åse Ødegård" in page  # Windows-1252 read as such
    assert "HJT Sykepleier 80.5 % fast from 2015-02-01" in page  # decimal comma
    assert has_import_button(admin)
    assert counts(app) == before  # a preview writes nothing

    response = press(admin, "import")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(ROSTER_URL)
    admin.get(ROSTER_URL)
    page = text(admin)
    assert "ansatte.csv is imported. 3 new, 0 changed, 0 unchanged" in page
    assert "What the last import of ansatte.csv changed" in page

    assert employee(app, "1002")["name"] == "Åse Ødegård"
    assert employee(app, "1001")["positions"] == [
        ("HJT", "Sykepleier", Decimal("80.50"), "fast", dt.date(2015, 2, 1))
    ]
    entries = [e for e in audit_entries(app, "change") if e["object_type"] == "roster"]
    assert [e["detail"] for e in entries] == [
        {
            "file": "ansatte.csv",
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "created_units": 0,
            "via": "web",
        }
    ]
    # The uploaded file is gone; only the report of the import waits to be shown.
    assert [name for name in uploads(instance_folder) if not name.endswith(".report.json")] == []


def test_double_submit_imports_once(app, admin, units, client):
    upload(admin, windows_csv(ROWS))
    admin.get(PREVIEW_URL)
    form = {**form_fields(admin), "action": "import"}
    with client.session_transaction() as session:
        second_tab = dict(session)  # the session as a second tab (or a double click) sends it

    assert admin.post(PREVIEW_URL, form).status_code == 302
    assert admin.post(PREVIEW_URL, form, follow=True).status_code == 200
    assert "This file is already imported, or the preview is out of date." in text(admin)

    # Both submits left before either answer came back: the file can be claimed once only.
    with client.session_transaction() as session:
        session.update(second_tab)
    admin.post(PREVIEW_URL, form, follow=True)
    assert "Nothing more was imported" in text(admin)

    assert len([e for e in audit_entries(app, "change") if e["object_type"] == "roster"]) == 1
    assert counts(app)["person"] == 4  # the administrator and three employees


def test_a_stale_token_imports_nothing(app, admin, units):
    upload(admin, windows_csv(ROWS))
    admin.get(PREVIEW_URL)
    press(admin, "import", token="A" * 32)
    admin.get(ROSTER_URL)
    assert "the preview is out of date" in text(admin)
    assert counts(app)["person"] == 1


def test_uploading_a_new_file_replaces_the_waiting_one(app, admin, units, instance_folder):
    upload(admin, windows_csv(ROWS))
    first = uploads(instance_folder)
    upload(admin, windows_csv(ROWS[:1]), name="bare-kari.csv")
    assert len(uploads(instance_folder)) == 1
    assert uploads(instance_folder) != first
    admin.get(PREVIEW_URL)
    assert "bare-kari.csv" in text(admin)


def test_files_older_than_a_day_are_removed(app, admin, units, instance_folder):
    folder = instance_folder / "uploads"
    folder.mkdir(parents=True)
    old, recent = folder / ("o" * 32), folder / ("r" * 32)
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    upload(admin, windows_csv(ROWS))
    assert not old.exists()
    assert recent.exists()


# --- errors -----------------------------------------------------------------------------------


def test_broken_rows_are_listed_by_line_and_nothing_is_imported(app, admin, units):
    rows = [
        ROWS[0],
        "1004;Ola Ødven;Legevakta;Lege;100;Fast;01.01.2020;M;1970;",  # unknown unit
        "1005;Lise Lund;HJT;Sykepleier;130;Fast;01.01.2020;K;1990;",  # 130 %
        "1001;Kari Nordmann;HJT;Sykepleier;19,5;Fast;01.02.2015;K;1980;",  # the same position twice
    ]
    before = counts(app)
    upload(admin, windows_csv(rows))
    response = admin.get(PREVIEW_URL)
    assert response.status_code == 422
    assert error_rows(admin) == [
        (
            "3",
            "Enhet/avdeling",
            "Unknown unit 'Legevakta'. Import it under «Import units» first, "
            "or choose «Create unknown units».",
        ),
        ("4", "Stillingsprosent %", "130 is not between 0 and 100."),
        ("5", "Ansattnr", "1001 is already on line 2 with the same unit and occupation."),
    ]
    assert "3 errors: nothing can be imported" in text(admin)
    assert not has_import_button(admin)

    # Posting «Import» anyway (an old page, a hand-made request) imports nothing either.
    press(admin, "import")
    assert counts(app) == before
    assert [e for e in audit_entries(app, "change") if e["object_type"] == "roster"] == []


def test_a_missing_column_is_named(app, admin, units):
    header = HEADER.replace(";Ansettelsesform", "")
    rows = [re.sub(r";(Fast|Midlertidig|vikar);", ";", row) for row in ROWS]
    upload(admin, windows_csv(rows, header=header))
    admin.get(PREVIEW_URL)
    assert error_rows(admin) == [
        ("1", "ansettelsesform", "The file has no such column. Map a column to it below.")
    ]
    assert not has_import_button(admin)


def test_create_unknown_units_makes_the_unknown_unit_pass(app, admin, units):
    rows = [*ROWS, "1004;Ola Ødven;Legevakta;Lege;100;Fast;01.01.2020;M;1970;"]
    upload(admin, windows_csv(rows))
    admin.get(PREVIEW_URL)
    assert len(error_rows(admin)) == 1
    press(admin, "recheck", create_units="1")
    admin.get(PREVIEW_URL)
    assert "New units (1)" in text(admin)
    press(admin, "import")
    assert employee(app, "1004")["unit"] == "Legevakta"


def test_an_unreadable_file_is_refused_at_upload(app, admin, instance_folder):
    response = upload(admin, b"PK\x03\x04 not really a workbook", name="ansatte.xlsx")
    assert response.status_code == 422
    assert "The file could not be read: The file is not a readable XLSX file." in text(admin)
    assert uploads(instance_folder) == []

    response = upload(admin, b"")
    assert response.status_code == 422
    assert "The file is empty." in text(admin)

    admin.get(ROSTER_URL)
    assert admin.post(ROSTER_URL, {}).status_code == 422
    assert "Choose a file to upload." in text(admin)


def test_a_file_over_the_size_limit_gets_a_clear_message(app, admin):
    app.config["UPLOAD_MAX_BYTES"] = 10 * 1024
    response = upload(admin, windows_csv(ROWS * 200))
    assert response.status_code == 413
    assert "The file is larger than 10 kB." in text(admin)


# --- mapping ----------------------------------------------------------------------------------


def test_an_odd_header_is_mapped_in_the_preview(app, admin, units):
    # «Løpenr» is no synonym of ansattnummer: the file misses that column until it is mapped.
    upload(admin, windows_csv(ROWS, header=HEADER.replace("Ansattnr", "Løpenr")))
    admin.get(PREVIEW_URL)
    assert error_rows(admin) == [
        ("1", "ansattnummer", "The file has no such column. Map a column to it below.")
    ]
    assert form_fields(admin)["column-0"] == "-"  # ignored, for now
    assert 'name="column-1"' not in admin.html  # «Navn» is a standard column: no select
    assert "Navn read as navn" in text(admin)

    response = press(admin, "recheck", **{"column-0": "ansattnummer"})
    assert response.status_code == 302
    admin.get(PREVIEW_URL)
    assert error_rows_or_none(admin) is None
    assert "3 new, 0 changed" in text(admin)
    press(admin, "import")
    assert employee(app, "1003")["name"] == "Per Ærlig"


def error_rows_or_none(admin):
    return error_rows(admin) if 'class="import-errors"' in admin.html else None


def test_ignoring_one_of_two_columns_that_mean_the_same(app, admin, units):
    header = HEADER.replace("Navn", "Navn;Fullt navn")
    rows = [re.sub(r"^([^;]*;[^;]*);", r"\1;Fullt navn fra lønn;", row) for row in ROWS]
    upload(admin, windows_csv(rows, header=header))
    admin.get(PREVIEW_URL)
    assert error_rows(admin) == [
        (
            "1",
            "navn",
            "The columns 'Navn' and 'Fullt navn' both mean navn. Ignore one of them below.",
        ),
        ("1", "navn", "The file has no such column. Map a column to it below."),
    ]
    press(admin, "recheck", **{"column-2": "-"})
    admin.get(PREVIEW_URL)
    assert error_rows_or_none(admin) is None
    assert "Columns not read: Fullt navn" in text(admin)
    assert "1002 Åse Ødegård" in text(admin)


def test_a_mapping_changed_without_checking_is_not_imported(app, admin, units):
    upload(admin, windows_csv(ROWS))
    admin.get(PREVIEW_URL)
    press(admin, "import", **{"column-9": "-"})  # e-mail ignored, then «Import» at once
    admin.get(PREVIEW_URL)
    assert "You changed the columns. Check the preview again, then import." in text(admin)
    assert counts(app)["person"] == 1
    assert "Columns not read: E-post" in text(admin)


# --- re-import --------------------------------------------------------------------------------


def import_file(admin, data: bytes, name="ansatte.csv"):
    upload(admin, data, name=name)
    admin.get(PREVIEW_URL)
    assert has_import_button(admin), text(admin)
    return press(admin, "import")


def test_a_clean_reimport_reports_what_changed(app, admin, units):
    import_file(admin, windows_csv(ROWS))
    changed = [
        ROWS[0].replace(";80,5;", ";100;"),
        ROWS[1],
        ROWS[2],
        # Per Ærlig has left: not in the file, kept.
    ]
    upload(admin, windows_csv(changed), name="ansatte-mars.csv")
    admin.get(PREVIEW_URL)
    page = text(admin)
    assert "0 new, 1 changed, 1 unchanged, 1 not in the file (kept)." in page
    assert (
        "1001 Kari Nordmann Positions HJT Sykepleier 80.5 % fast from 2015-02-01 → "
        "HJT Sykepleier 100 % fast from 2015-02-01" in page
    )
    assert "Not in the file, kept (1) People on the roster who are not in this file" in page
    assert "1003 Per Ærlig" in page

    press(admin, "import")
    admin.get(ROSTER_URL)
    page = text(admin)
    assert "ansatte-mars.csv is imported. 0 new, 1 changed, 1 unchanged" in page
    assert "80.5 % fast from 2015-02-01 → HJT Sykepleier 100 %" in page
    assert employee(app, "1001")["positions"][0][2] == Decimal("100.00")
    assert employee(app, "1003")["name"] == "Per Ærlig"
    details = [e["detail"] for e in audit_entries(app, "change") if e["object_type"] == "roster"]
    assert details[-1]["updated"] == 1 and details[-1]["unchanged"] == 1


def test_data_changed_since_the_preview_is_not_imported(app, admin, units):
    upload(admin, windows_csv(ROWS))
    admin.get(PREVIEW_URL)
    form = {**form_fields(admin), "action": "import"}
    # Another administrator imports Kari meanwhile: the plan now differs from what was shown.
    other = app.test_client()
    login_as(other, app, make_person(app, "admin", email="annen@kommune.no"))
    import_file(Respondent(other), windows_csv(ROWS[:1]))

    admin.post(PREVIEW_URL, form, follow=True)
    assert "The data changed since the preview, so nothing was imported." in text(admin)
    assert "2 new, 0 changed, 1 unchanged" in text(admin)
    assert counts(app)["person"] == 3  # two administrators and Kari
    assert has_import_button(admin)


# --- units ------------------------------------------------------------------------------------


def test_units_are_imported_through_the_same_preview(app, admin):
    upload(admin, UNITS.encode("cp1252"), name="enheter.csv", url=UNITS_URL)
    assert admin.last.headers["Location"].endswith(UNITS_PREVIEW_URL)
    admin.get(UNITS_PREVIEW_URL)
    assert "4 new, 0 changed, 0 unchanged." in text(admin)
    assert "OSA Omsorgssenter Ødegården (under HO)" in text(admin)
    assert 'name="create_units"' not in admin.html
    press(admin, "import", url=UNITS_PREVIEW_URL)
    admin.get(UNITS_URL)
    assert "enheter.csv is imported. 4 new" in text(admin)
    assert counts(app)["unit"] == 4
    entries = [e for e in audit_entries(app, "change") if e["object_type"] == "units"]
    assert entries[0]["detail"] == {"file": "enheter.csv", "created": 4, "updated": 0, "via": "web"}


def test_unit_errors_are_listed(app, admin):
    upload(admin, b"kode;navn;overordnet\nA;Avdeling A;B\nB;Avdeling B;A\n", url=UNITS_URL)
    admin.get(UNITS_PREVIEW_URL)
    assert error_rows(admin) == [
        ("2", "overordnet", "The units form a cycle: A > B > A."),
        ("3", "overordnet", "The units form a cycle: B > A > B."),
    ]


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["prosjektleder", "enhetsleder", "ansatt"])
def test_only_administrators_may_import(app, client, role):
    person = make_person(app, *([role] if role != "ansatt" else []), unit="HJT")
    login_as(client, app, person)
    for url in (ROSTER_URL, PREVIEW_URL, UNITS_URL, UNITS_PREVIEW_URL):
        assert client.get(url).status_code == 403
    app.config["WTF_CSRF_ENABLED"] = False
    data = {"file": (io.BytesIO(windows_csv(ROWS)), "ansatte.csv")}
    assert client.post(ROSTER_URL, data=data).status_code == 403


def test_logged_out_is_sent_to_log_in(client):
    response = client.get(ROSTER_URL)
    assert response.status_code == 302
    assert "/logg-inn" in response.headers["Location"]


def test_the_admin_menu_links_to_the_import(admin):
    admin.get("/admin/brukere")
    assert f'href="{ROSTER_URL}"' in admin.html
    admin.get(ROSTER_URL)
    assert f'<a href="{ROSTER_URL}" aria-current="page">' in admin.html
