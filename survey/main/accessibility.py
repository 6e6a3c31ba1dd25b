"""What the accessibility statement (tilgjengelighetserklæring) says is checked, and how.

The list is what the test suite verifies on every page the browser tests visit
(tests/browser/phone.py): axe-core's rules for WCAG 2.1 A/AA and 2.2 AA, the Nu Html Checker,
and no sideways scrolling at 360 px. tests/web/test_accessibility_statement.py holds it against
axe's own rule list, so the statement can't claim a check the tests don't make."""

from __future__ import annotations

import dataclasses
import enum


class Method(enum.StrEnum):
    AXE = "axe"  # axe-core, the rules tagged with the criterion
    VNU = "vnu"  # the Nu Html Checker (HTML validation)
    REFLOW = "reflow"  # no horizontal scrolling at 360 CSS pixels


@dataclasses.dataclass(frozen=True)
class Criterion:
    number: str
    name: dict[str, str]  # by language code
    method: Method
    wcag: str = "2.1"


def _c(number: str, nb: str, nn: str, en: str, method: Method = Method.AXE, wcag: str = "2.1"):
    return Criterion(number, {"nb": nb, "nn": nn, "en": en}, method, wcag)


CHECKED: tuple[Criterion, ...] = (
    _c("1.1.1", "Ikke-tekstlig innhold", "Ikkje-tekstleg innhald", "Non-text Content"),
    _c("1.3.1", "Informasjon og relasjoner", "Informasjon og relasjonar", "Info and Relationships"),
    _c("1.3.4", "Visningsretning", "Visningsretning", "Orientation"),
    _c(
        "1.3.5",
        "Identifiser formål med inndata",
        "Identifiser føremål med inndata",
        "Identify Input Purpose",
    ),
    _c("1.4.1", "Bruk av farge", "Bruk av farge", "Use of Color"),
    _c("1.4.3", "Kontrast (minimum)", "Kontrast (minimum)", "Contrast (Minimum)"),
    _c("1.4.4", "Endring av tekststørrelse", "Endring av tekststorleik", "Resize Text"),
    _c(
        "1.4.10",
        "Dynamisk tilpasning (Reflow)",
        "Dynamisk tilpassing (Reflow)",
        "Reflow",
        Method.REFLOW,
    ),
    _c("1.4.12", "Tekstavstand", "Tekstavstand", "Text Spacing"),
    _c("2.1.1", "Tastatur", "Tastatur", "Keyboard"),
    _c("2.4.1", "Hoppe over blokker", "Hoppe over blokker", "Bypass Blocks"),
    _c("2.4.2", "Sidetitler", "Sidetitlar", "Page Titled"),
    _c(
        "2.4.4",
        "Formål med lenke (i kontekst)",
        "Føremål med lenkje (i kontekst)",
        "Link Purpose (In Context)",
    ),
    _c("2.5.3", "Ledetekst i navn", "Ledetekst i namn", "Label in Name"),
    _c(
        "2.5.8",
        "Minimum målstørrelse",
        "Minimum målstorleik",
        "Target Size (Minimum)",
        wcag="2.2",
    ),
    _c("3.1.1", "Språk på siden", "Språk på sida", "Language of Page"),
    _c("3.1.2", "Språk på deler av innhold", "Språk på delar av innhaldet", "Language of Parts"),
    _c(
        "3.3.2",
        "Ledetekster eller instruksjoner",
        "Ledetekstar eller instruksjonar",
        "Labels or Instructions",
    ),
    _c("4.1.1", "Parsing (oppdeling)", "Parsing (oppdeling)", "Parsing", Method.VNU),
    _c("4.1.2", "Navn, rolle, verdi", "Namn, rolle, verdi", "Name, Role, Value"),
)


def checked_criteria(lang: str) -> list[dict[str, str]]:
    """Plain rows for the template, names in `lang`."""
    return [
        {
            "number": criterion.number,
            "name": criterion.name.get(lang, criterion.name["nb"]),
            "method": criterion.method.value,
            "wcag": criterion.wcag,
        }
        for criterion in CHECKED
    ]
