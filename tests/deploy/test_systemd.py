"""The systemd units in deploy/systemd pass `systemd-analyze verify`: every key known, every
command executable, every timer's calendar valid and its service found.

The units name the production paths (/opt/heltid, /etc/heltid/heltid.env); verify checks that
ExecStart's program exists, so the test copies them with those paths pointing at this
checkout and at deploy/*.env.example, and fails on any warning about them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

UNITS = ROOT / "deploy" / "systemd"
PRODUCTION_ROOT = "/opt/heltid"
ENVIRONMENT_FILE = "/etc/heltid/heltid.env"
TIMERS = ("heltid-outbox", "heltid-reminders", "heltid-maintenance", "heltid-backup")


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found:
        return found
    message = "systemd-analyze not found; run scripts/test.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _copy_for_this_checkout(target: Path) -> list[Path]:
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text()
        if unit.suffix == ".service":
            assert PRODUCTION_ROOT in text and ENVIRONMENT_FILE in text, unit.name
        for name in re.findall(r"^EnvironmentFile=/etc/heltid/(\S+)\.env$", text, re.M):
            example = ROOT / "deploy" / f"{name}.env.example"  # every file has its example
            assert example.exists(), example
            text = text.replace(f"/etc/heltid/{name}.env", str(example))
        copy = target / unit.name
        copy.write_text(text.replace(PRODUCTION_ROOT, str(ROOT)))
        copies.append(copy)
    return copies


def test_units_pass_systemd_analyze_verify(tmp_path):
    analyze = _systemd_analyze()
    units = _copy_for_this_checkout(tmp_path)
    names = {unit.name for unit in units}
    assert "heltid.service" in names
    for timer in TIMERS:  # each timer starts the oneshot service of its name
        assert {f"{timer}.timer", f"{timer}.service"} <= names
        assert "Type=oneshot" in (UNITS / f"{timer}.service").read_text()
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )
    output = result.stdout + result.stderr
    # Unknown keys and the like are warnings with exit status 0: any line about a unit fails.
    about_units = [line for line in output.splitlines() if "heltid" in line]
    assert result.returncode == 0 and not about_units, output


def test_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt key and a missing program are reported."""
    analyze = _systemd_analyze()
    units = _copy_for_this_checkout(tmp_path)
    broken = tmp_path / "heltid-outbox.service"
    broken.write_text(
        broken.read_text()
        .replace("Type=oneshot", "Type=oneshot\nProtectSystems=strict")
        .replace("bin/survey outbox", "bin/no-such-survey outbox")
    )
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "ProtectSystems" in output and "no-such-survey" in output, output
