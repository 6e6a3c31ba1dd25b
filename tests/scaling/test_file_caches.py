"""Caches of files kept per process must not make servers disagree: two processes that have
both parsed a file see it changed on disk at their next call, without a restart.

The processes here are two app servers' worth of caches (each process its own) reading the
same file; a server on another machine reads its own copy, which the deployment changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from survey.classification import DEFAULT_DEFINITIONS_FILE
from survey.living.relevance import GUIDE_FILE

ROOT = Path(__file__).resolve().parent.parent.parent

# A long-lived process: for each line (a path), what its cached loader returns now.
SERVER = """
import sys
from survey.classification import load_definitions
from survey.living.relevance import guide
for line in sys.stdin:
    kind, path = line.split()
    if kind == "definitions":
        print(load_definitions(path).active_profile.id, flush=True)
    else:
        print(guide(path).title.get("nb"), flush=True)
"""


class Server:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, kind: str, path: Path) -> str:
        self.process.stdin.write(f"{kind} {path}\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.stdin.close()  # the loop ends, and the process with it
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def servers():
    started = [Server(), Server()]
    yield started
    for server in started:
        server.stop()


def test_two_processes_see_a_changed_definitions_file(servers, tmp_path):
    path = tmp_path / "definitions.yaml"
    shutil.copy(DEFAULT_DEFINITIONS_FILE, path)
    assert [server.ask("definitions", path) for server in servers] == ["songdalen"] * 2

    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("active_profile: songdalen", "active_profile: selvrapportert"),
        encoding="utf-8",
    )
    assert [server.ask("definitions", path) for server in servers] == ["selvrapportert"] * 2


def test_two_processes_see_a_changed_interview_guide(servers, tmp_path):
    """The guide the reports take their labels from when no version is stored."""
    path = tmp_path / "kartleggingssamtale.yaml"
    shutil.copy(GUIDE_FILE, path)
    before = [server.ask("guide", path) for server in servers]
    assert before[0] == before[1] != ""

    text = path.read_text(encoding="utf-8")
    title = f'  nb: "{before[0]}"\n'
    assert title in text
    path.write_text(text.replace(title, '  nb: "Endret tittel"\n', 1), encoding="utf-8")
    assert [server.ask("guide", path) for server in servers] == ["Endret tittel"] * 2
