"""Web workers and the command line do not pay for libraries only a few routes or commands use:
building the app imports neither WeasyPrint (0,6 s and ~30 MiB per process) nor the QR-code,
calendar, phone-number and spreadsheet libraries, nor Alembic (migrations), Authlib and
requests (OpenID Connect, SMS): about 800 modules of 1 600. Each is imported inside the
function that uses it (docs/architecture.md, «Heavy imports»)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = [
    "weasyprint",
    "fontTools",
    "pydyf",
    "PIL",
    "segno",
    "icalendar",
    "phonenumbers",
    "openpyxl",
]

PROBE = """
import json, sys
from survey import create_app
app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
app.test_client().get("/personvern")
print(json.dumps(sorted(name for name in sys.argv[2:] if name in sys.modules)))
"""


def test_building_the_app_imports_no_heavy_library(tmp_path):
    env = {**os.environ, "SURVEY_ENV": "development"}
    env.pop("FLASK_APP", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite:///{tmp_path / 'probe.sqlite3'}", *HEAVY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_the_pdf_functions_still_come_from_the_package():
    import reports

    assert reports.html_to_pdf.__module__ == "reports.render"
    assert reports.AssetsOnlyFetcher.__module__ == "reports.render"
