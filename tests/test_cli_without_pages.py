"""The `survey` CLI builds the app without its pages for commands that serve nothing
(create_app(web=False)): they start faster, and must work the same."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys

from survey.cli import GC_FULL_EVERY
from tests.conftest import ROOT

# Runs the CLI in a fresh interpreter, as the console script does, then reports what the
# command imported and which routes its app had.
PROBE = """
import gc, json, sys
from flask import current_app
from survey.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    pass
print(json.dumps({
    "views": sorted(m for m in sys.modules if m.endswith(".views")),
    "commands": sorted(m for m in sys.modules if m.endswith(".commands")),
    "frozen": gc.get_freeze_count(),
    "gc_threshold": gc.get_threshold(),
}), file=sys.stderr)
"""


def _run(script: str, database, *args) -> subprocess.CompletedProcess:
    """`script` in a fresh interpreter with `args` as its command line, on `database`."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SURVEY_ENV": "development",
    }
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _survey(database, *args):
    result = _run(PROBE, database, *args)
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stderr.strip().splitlines()[-1])
    _survey.command_modules = imported["commands"]
    _survey.gc = imported["frozen"], imported["gc_threshold"]
    return result.stdout, imported["views"]


def test_commands_that_serve_nothing_run_without_the_pages(sqlite_template, tmp_path):
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    report = tmp_path / "heltid.pdf"

    out, views = _survey(database, "report", "heltid", "--out", str(report))
    assert report.read_bytes().startswith(b"%PDF")
    assert views == []  # no page was imported to write the report
    # ... nor another command's module, nor the living-document hook of the answer pages
    assert _survey.command_modules == ["survey.reporting.commands"]
    # the app's objects are frozen, and full collections are rarer (survey.cli)
    frozen, threshold = _survey.gc
    assert frozen > 10_000 and threshold[2] == GC_FULL_EVERY > gc.get_threshold()[2]

    out, views = _survey(database, "maintenance", "--dry-run")
    assert "would remove: abandoned drafts" in out and views == []

    out, views = _survey(database, "outbox", "status")
    assert out.startswith("pending 0") and views == []


def test_commands_that_show_the_pages_get_them(sqlite_template, tmp_path):
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    out, views = _survey(database, "routes")
    assert "answering.welcome" in out and "/healthz" in out
    assert "survey.answering.views" in views
    assert _survey.gc == (0, list(gc.get_threshold()))  # a web command's process: as Python has it


def test_the_command_table_names_what_each_module_registers():
    """survey.COMMAND_MODULES decides which module a command line imports: it must name
    exactly the top-level commands each module's init_app adds."""
    import importlib

    from flask import Flask

    from survey import COMMAND_MODULES

    seen: set[str] = set()
    for module_name, names in COMMAND_MODULES.items():
        app = Flask("probe")
        importlib.import_module(module_name).init_app(app)
        assert sorted(app.cli.commands) == sorted(names), module_name
        assert seen.isdisjoint(names)
        seen.update(names)


def test_help_lists_every_command(sqlite_template, tmp_path):
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    out, _views = _survey(database, "--help")
    from survey import COMMAND_MODULES

    for names in COMMAND_MODULES.values():
        for name in names:
            assert f"  {name} " in out, name


# The console script as installed: main() in standalone mode, then the process ends.
SCRIPT = """
import atexit, sys

class Teardown:
    def __del__(self):
        print("teardown", flush=True)

kept_until_teardown = Teardown()
atexit.register(print, "exit handlers ran")
from survey.cli import main
main()
"""


def _script(database, *args):
    return _run(SCRIPT, database, *args)


def test_a_command_that_serves_nothing_ends_without_the_teardown(sqlite_template, tmp_path):
    """`survey report` ends once the exit handlers have run: the report is written, the
    audit entry committed, the output flushed and the exit status kept, but the interpreter
    does not tear its objects down (survey.cli._end_without_teardown)."""
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    report = tmp_path / "heltid.pdf"

    done = _script(database, "report", "heltid", "--out", str(report))
    assert done.returncode == 0, done.stderr
    assert report.read_bytes().startswith(b"%PDF")
    assert f"written to {report}" in done.stderr
    assert done.stdout.splitlines() == ["exit handlers ran"]  # and no "teardown"
    assert "Exception" not in done.stderr  # the connections closed in an exit handler
    with contextlib.closing(sqlite3.connect(database)) as connection:
        exports = connection.execute(
            "SELECT count(*) FROM audit_entry WHERE object_type = 'heltid_report'"
        ).fetchone()[0]
    assert exports == 1

    wrong = _script(database, "report", "heltid", "--out", str(tmp_path / "heltid.txt"))
    assert wrong.returncode == 1
    assert "use a .pdf, .html, .csv or .xlsx file" in wrong.stderr
    assert wrong.stdout.splitlines() == ["exit handlers ran"]

    usage = _script(database, "report", "heltid")
    assert usage.returncode == 2 and "Missing option '--out'" in usage.stderr

    helped = _script(database, "report", "--help")
    assert helped.returncode == 0 and "PDF reports" in helped.stdout


def test_a_command_that_serves_pages_ends_as_python_does(sqlite_template, tmp_path):
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    done = _script(database, "routes")
    assert done.returncode == 0, done.stderr
    assert "answering.welcome" in done.stdout
    assert done.stdout.splitlines()[-2:] == ["exit handlers ran", "teardown"]
