"""Under CI=true a missing tool fails the test that needs it instead of skipping it silently."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_committee_pdf_check_fails_under_ci_without_pdftotext(tmp_path):
    # A PATH with Python but without poppler's pdftotext.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "CI": "true", "PATH": str(bin_dir)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/committee/test_candidates.py::test_health_and_family_never_in_the_pdf",
            "-k",
            "sqlite",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "1 failed" in result.stdout, result.stdout[-2000:]
    assert "pdftotext (poppler-utils) is not installed" in result.stdout
