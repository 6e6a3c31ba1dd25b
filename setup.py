"""The build step pyproject.toml cannot declare: compile the message catalogs, and carry the
shipped questionnaires into the package.

A wheel carries the compiled catalogs (.mo) inside the survey package, where reports/render.py
finds them; without them an installed app would serve its English msgids instead of bokmål.
An editable install (scripts/install.sh) compiles them in place, beside the .po files, as
`pybabel compile -d translations` does. Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CATALOGS = ROOT / "translations"


def compile_catalogs(target: Path) -> list[Path]:
    """Compile translations/<lang>/LC_MESSAGES/*.po into `target` in the same layout; fuzzy
    entries are left out, as pybabel compile leaves them out."""
    written = []
    for po_file in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
        relative = po_file.relative_to(CATALOGS).with_suffix(".mo")
        with po_file.open("rb") as source:
            catalog = read_po(source, locale=relative.parts[0])
        mo_file = target / relative
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with mo_file.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        written.append(mo_file)
    if not written:
        raise SystemExit(f"no message catalogs in {CATALOGS}")
    return written


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            compile_catalogs(CATALOGS)
        else:
            compile_catalogs(Path(self.build_lib) / "survey" / "translations")
            # The shipped questionnaires and definitions, where survey/engine/shipped.py looks.
            shutil.copytree(
                ROOT / "questionnaires",
                Path(self.build_lib) / "survey" / "questionnaire_files",
                dirs_exist_ok=True,
            )


setup(cmdclass={"build_py": BuildPyWithCatalogs})
