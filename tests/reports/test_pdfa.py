"""The archival variant (`--pdfa`) passes Apache PDFBox Preflight's PDF/A-1b validation.

veraPDF is not packaged for the registries this project installs from (PyPI, Debian, npm);
PDFBox Preflight is (Debian: libpdfbox2-java, scripts/test.sh installs it). Without it the
test is skipped on a laptop and fails under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

JARS = Path("/usr/share/java")
CLASSPATH = [
    "preflight.jar",
    "pdfbox2.jar",
    "xmpbox.jar",
    "fontbox2.jar",
    "commons-logging.jar",
    "jaxb-api.jar",
    "javax.activation.jar",
]


def preflight(path: Path) -> str:
    """Preflight's verdict on `path`: its whole output (the first line says valid or not)."""
    missing = [jar for jar in CLASSPATH if not (JARS / jar).is_file()]
    if missing or shutil.which("java") is None:
        message = f"PDFBox Preflight is not installed (missing: {missing or ['java']})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; scripts/test.sh installs it")
        pytest.skip(message)
    result = subprocess.run(
        [
            "java",
            "-cp",
            ":".join(str(JARS / jar) for jar in CLASSPATH),
            "org.apache.pdfbox.preflight.Validator_A1b",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


@pytest.mark.usefixtures("municipality")
def test_heltid_report_for_the_archive_is_valid_pdfa_1b(runner, tmp_path):
    out = tmp_path / "heltid-arkiv.pdf"
    result = runner.invoke(
        args=[
            "report",
            "heltid",
            "--as-of",
            "2025-12-31",
            "--lang",
            "nb",
            "--pdfa",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    verdict = preflight(out)
    assert "is a valid PDF/A-1b file" in verdict, verdict
    meta = subprocess.run(["pdfinfo", "-meta", str(out)], capture_output=True, text=True).stdout
    assert 'pdfaid:part="1"' in meta and 'pdfaid:conformance="B"' in meta


def test_preflight_catches_what_pdfa_forbids(tmp_path):
    """The validator really checks: the ordinary PDF of the same HTML (no PDF/A
    identification, a cross-reference stream) is refused, the archival one passes."""
    from reports import PdfMetadata, html_to_pdf, render_html
    from reports.model import Paragraph, Report, Section

    report = Report("Tittel", "Undertittel", (Section("Del", (Paragraph("Tekst"),)),), "–")
    html = render_html(
        "report.html", {"report": report}, "nb", PdfMetadata("Tittel", "Kommunen", "nb")
    )
    ordinary = tmp_path / "ordinary.pdf"
    ordinary.write_bytes(html_to_pdf(html))
    assert "is not a valid PDF/A-1b file" in preflight(ordinary)
    archival = tmp_path / "archival.pdf"
    archival.write_bytes(html_to_pdf(html, archival=True))
    assert "is a valid PDF/A-1b file" in preflight(archival)
