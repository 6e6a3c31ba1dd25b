"""HTML validation with the Nu Html Checker (vnu, from the npm package `vnu-jar`, run by Java).

One JVM per batch of pages: starting it takes about two seconds, checking a page a few
milliseconds, so callers collect the pages they visit and validate them together."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require_vnu() -> None:
    """Skip without Java or vnu; under CI=true their absence is a failure, not a skip."""
    missing = []
    if shutil.which("java") is None:
        missing.append("java (default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"vnu at {VNU_JAR}")
    if not missing:
        return
    message = f"{' and '.join(missing)} not found; run scripts/test.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def vnu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """Validate each page's HTML (keyed by its path); return only the pages with errors,
    each error as «line N: message «extract»»."""
    if not pages:
        return {}
    require_vnu()
    names = {f"page-{number:03d}.html": path for number, path in enumerate(pages)}
    with tempfile.TemporaryDirectory(prefix="vnu-") as scratch:
        for name, path in names.items():
            (Path(scratch) / name).write_text(pages[path], encoding="utf-8")
        result = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]
            + ["--exit-zero-always", *names],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    # vnu writes its report to stderr.
    report = json.loads(result.stderr)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        name = message.get("url", "").rsplit("/", 1)[-1]
        extract = " ".join(message.get("extract", "").split())
        errors.setdefault(names.get(name, name), []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} «{extract}»"
        )
    return errors
