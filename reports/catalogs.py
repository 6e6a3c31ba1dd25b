"""Where the compiled message catalogs are, for the reports and the app alike.

Kept apart from `reports.render` (which imports WeasyPrint) so that the app's configuration can
name the directory without loading WeasyPrint in every process."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _translations_dir() -> Path:
    """The compiled catalogs: inside the survey package where a wheel's build put them
    (setup.py), else translations/ beside the packages in a checkout."""
    packaged = PACKAGE_DIR.parent / "survey" / "translations"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "translations"


TRANSLATIONS_DIR = _translations_dir()
LANGUAGES = ("nb", "nn", "en")
