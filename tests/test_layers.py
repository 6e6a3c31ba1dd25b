"""The package boundaries (docs/architecture.md) hold, and an import that crosses one fails.

`lint-imports` checks the contracts in pyproject.toml ([tool.importlinter]). The canaries copy
the code to a temporary directory, add one forbidden import each, and run the same contracts
there: a contract that stayed kept would let that kind of import in unnoticed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(directory: Path) -> subprocess.CompletedProcess[str]:
    # cwd first on sys.path: the copy is analysed, not the installed package.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contract_lines(output: str) -> dict[str, str]:
    """Contract name -> KEPT or BROKEN, from the summary (a long name wraps onto two lines)."""
    summary = output.split("Contracts:")[0].split("Analyzed")[-1].splitlines()[1:]
    results: dict[str, str] = {}
    pending = ""
    for line in summary:
        if not line.strip("- \n"):
            continue
        text = f"{pending} {line.strip()}".strip()
        for verdict in ("KEPT", "BROKEN"):
            if f" {verdict}" in text:
                name = text.split(f" {verdict}")[0].strip()
                results[name] = verdict
                pending = ""
                break
        else:
            pending = text
    return results


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = contract_lines(result.stdout)
    assert len(verdicts) == 4, result.stdout
    assert set(verdicts.values()) == {"KEPT"}, result.stdout


PURE = "The engine, the classification and reports/ import neither Flask nor the database"
LAYERS = "Wiring above features above core"
FEATURES = "Features import each other only through their models, services and presenting"
ACYCLIC = "No cycles between the packages under survey/"


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        # The core reaching up into a feature's view: Flask comes with it.
        ("survey/engine/flow.py", "import survey.answering.views", {PURE, LAYERS}),
        ("survey/classification/classify.py", "import flask_babel", {PURE}),
        ("reports/render.py", "import survey.db", {PURE}),
        ("survey/db.py", "import survey.people.services", {LAYERS}),
        # A feature importing another feature's view instead of its services.
        ("survey/people/services.py", "import survey.committee.views", {FEATURES}),
        # Allowed one way (answering uses the stored questionnaires), a cycle both ways.
        ("survey/questionnaires/services.py", "import survey.answering.services", {ACYCLIC}),
    ],
    ids=[
        "engine-to-view",
        "classification-to-flask",
        "reports-to-db",
        "db-to-feature",
        "feature-to-view",
        "cycle",
    ],
)
def test_an_import_across_a_boundary_breaks_its_contract(tmp_path, module, added, broken):
    for package in ("survey", "reports"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "assets"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    source = target.read_text("utf-8")
    # After the module docstring and `from __future__`, so the file still compiles.
    head, marker, rest = source.partition("from __future__ import annotations\n")
    assert marker, f"{module} has no `from __future__` line to anchor the import"
    target.write_text(f"{head}{marker}{added}  # canary\n{rest}", "utf-8")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = contract_lines(result.stdout)
    # At least these: an upward import also makes chains and cycles the other contracts see.
    assert broken <= {name for name, verdict in verdicts.items() if verdict == "BROKEN"}, (
        result.stdout
    )
    # The report names the importer (the cycle report names its package, relative).
    importer = module.removesuffix(".py").replace("/", ".")
    package = "." + importer.split(".")[1] + " ->"
    assert importer in result.stdout or package in result.stdout, result.stdout


def test_browser_fixtures_stay_in_tests_browser():
    """The session's Chromium belongs to tests/browser/conftest.py. A test module elsewhere
    that imports its fixtures starts a second Playwright in the same worker, and whichever
    starts second fails («Sync API inside the asyncio loop») depending on how xdist deals the
    tests out: browser tests live in tests/browser/."""
    fixtures = re.compile(
        r"from tests\.browser\.conftest import [^\n]*\b(browser|live_app|axe_source)\b"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if "browser" not in path.relative_to(ROOT / "tests").parts[:1]
        and fixtures.search(path.read_text("utf-8"))
    ]
    assert offenders == []
