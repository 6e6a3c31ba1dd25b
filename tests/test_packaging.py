"""A wheel built from the sources alone is complete: its build compiles the message catalogs
(setup.py), so the installed app serves bokmål, not the English msgids, and it carries the
shipped questionnaires and the definitions of ufrivillig deltid."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT

SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md"]
PACKAGES = ["survey", "reports", "translations", "questionnaires"]

# Run from the installed copy: which files it imports, where it finds the catalogs, what the
# privacy page says in the default language.
PROBE = """
import json, sys
import reports.render, survey
from survey import create_app
from survey.classification.definitions import DEFAULT_DEFINITIONS_FILE, load_definitions
from survey.living.relevance import GUIDE_FILE, guide
from survey.questionnaires.services import sync_directory

app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
page = app.test_client().get("/personvern")
with app.app_context():
    from survey.migrate import upgrade
    upgrade()
    loaded = sorted(result.questionnaire_id for result in sync_directory(app.config["QUESTIONNAIRE_DIR"]))
print(json.dumps({
    "survey": survey.__file__,
    "reports": reports.render.__file__,
    "app_catalogs": app.config["BABEL_TRANSLATION_DIRECTORIES"],
    "report_catalogs": str(reports.render.TRANSLATIONS_DIR),
    "questionnaire_dir": app.config["QUESTIONNAIRE_DIR"],
    "loaded": loaded,
    "guide": [str(GUIDE_FILE), guide().id],
    "definitions": [str(DEFAULT_DEFINITIONS_FILE), sorted(p.id for p in load_definitions().profiles)],
    "status": page.status_code,
    "html": page.get_data(as_text=True),
}))
"""


def test_wheel_built_without_compiled_catalogs_serves_bokmal(tmp_path):
    # The sources as a fresh clone has them: no .mo files (they are not in git).
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copy(ROOT / name, source / name)
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    assert not list(source.rglob("*.mo"))

    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "-w", str(wheels), "--no-deps", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("heltid_survey-*.whl")

    # Installed on its own (the dependencies come from the test environment's site-packages,
    # which PYTHONPATH precedes), run from a directory without the sources.
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
        + [str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    catalogs = site / "survey" / "translations"
    assert sorted(p.relative_to(catalogs).as_posix() for p in catalogs.rglob("*.mo")) == [
        f"{lang}/LC_MESSAGES/messages.mo" for lang in ("en", "nb", "nn")
    ]

    run = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite:///{tmp_path / 'app.sqlite3'}"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    probe = json.loads(run.stdout)
    assert probe["survey"] == str(site / "survey" / "__init__.py")
    assert probe["reports"] == str(site / "reports" / "render.py")
    assert probe["app_catalogs"] == probe["report_catalogs"] == str(catalogs)
    assert probe["status"] == 200
    assert "Gå til hovedinnholdet" in probe["html"]
    assert "Skip to content" not in probe["html"]
    # The shipped questionnaires, the interview guide and the definitions come from the wheel.
    shipped = site / "survey" / "questionnaire_files"
    assert probe["questionnaire_dir"] == str(shipped)
    assert probe["loaded"] == sorted(path.stem for path in (ROOT / "questionnaires").glob("*.yaml"))
    assert probe["guide"] == [str(shipped / "kartleggingssamtale.yaml"), "kartleggingssamtale"]
    assert probe["definitions"][0] == str(shipped / "classification" / "definitions.yaml")
    assert "songdalen" in probe["definitions"][1]
