"""Where the questionnaires the product ships with are: `questionnaires/` beside the packages
in a checkout, or the copy a wheel carries inside the survey package (setup.py puts it there),
so an installed app finds its questionnaires and definitions without the sources."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
PACKAGED_DIR = _PACKAGE / "questionnaire_files"
CHECKOUT_DIR = _PACKAGE.parent / "questionnaires"

QUESTIONNAIRES_DIR = PACKAGED_DIR if PACKAGED_DIR.is_dir() else CHECKOUT_DIR
