"""Helpers for the XLSForm tests: the fixtures on disk, a questionnaire without where it was
read from, and a workbook's cells keyed by meaning rather than by column position."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pytest

from survey import engine
from survey.questionnaires.xlsform_format import language_code

ROOT = Path(__file__).resolve().parent.parent.parent
XLSFORMS = ROOT / "tests" / "data" / "xlsform"
SHIPPED = sorted((ROOT / "questionnaires").glob("*.yaml"))
# Fixtures that import cleanly, with the id each is imported under.
GOOD_FIXTURES = {
    "kobo_style.xlsx": "kobo-style",
    "every_feature.xlsx": "every-feature",
    "one_language.xlsx": "enkelt",
}


def fixture_bytes(name: str) -> bytes:
    return (XLSFORMS / name).read_bytes()


def without_origin(definition: engine.Questionnaire) -> dict:
    """The questionnaire's content, without the file, lines and fingerprint it was read with."""

    def strip(question: engine.Question) -> engine.Question:
        grid = dataclasses.replace(question.grid, line=0) if question.grid else None
        return dataclasses.replace(question, line=0, grid=grid)

    pages = tuple(
        dataclasses.replace(page, line=0, questions=tuple(strip(q) for q in page.questions))
        for page in definition.pages
    )
    return {
        "id": definition.id,
        "version": definition.version,
        "title": definition.title,
        "description": definition.description,
        "default_mode": definition.default_mode,
        "pages": pages,
    }


def canonical_column(header: str) -> str | None:
    """`label::Norsk bokmål (nb)`, `label::nb` and `label` (bokmål) all as `label::nb`;
    KoboToolbox's own `$` columns as None."""
    if not header or header.startswith("$"):
        return None
    base, separator, language = header.partition("::")
    if base.startswith("bind"):
        return header
    if separator:
        return f"{base}::{language_code(language)}"
    if base in ("label", "hint", "constraint_message"):
        return f"{base}::nb"
    return header


def sheets(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Every sheet's filled rows as {canonical column: text}."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    result = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [canonical_column(str(cell or "")) for cell in rows[0]] if rows else []
        result[sheet.title] = [
            {
                column: str(value).strip()
                for column, value in zip(header, values, strict=False)
                if column and value not in (None, "")
            }
            for values in rows[1:]
            if any(value not in (None, "") for value in values)
        ]
    workbook.close()
    return result


# ODK Validate (bundled with pyxform, run on Java) also checks the XForm pyxform makes: that
# its XML is well formed and its expressions evaluate, as ODK Collect would.
ODK_VALIDATE = shutil.which("java") is not None


def pyxform_convert(data: bytes, tmp_path: Path, name: str = "form.xlsx", validate=False):
    """pyxform's conversion of the workbook (raises PyXFormError when it refuses it, or
    ODKValidateError when `validate` and ODK Validate finds the XForm invalid)."""
    from pyxform.xls2xform import convert

    path = tmp_path / name
    path.write_bytes(data)
    return convert(xlsform=str(path), validate=validate)


@pytest.fixture
def kobo_yaml() -> str:
    from survey.questionnaires.xlsform import xlsform_to_yaml

    return xlsform_to_yaml(fixture_bytes("kobo_style.xlsx"), "kobo_style.xlsx", "kobo-style")
