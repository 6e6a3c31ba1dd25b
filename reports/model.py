"""The plain data a report template renders: sections of paragraphs, tables and charts.

Query layers build these (with labels already in the report's language); the templates only
lay them out. A cell whose value is None was suppressed and is shown as «–» with the report's
footnote on small groups, unless it has `no_base`: a share or average of nobody, shown as «–»
with no mark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

COUNT = "count"
PERCENT = "percent"
DECIMAL = "decimal"
TEXT = "text"


@dataclass(frozen=True)
class Cell:
    value: int | float | str | None
    kind: str = COUNT
    no_base: bool = False  # None because there is nothing to divide by (N = 0), not hidden

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.kind != TEXT and not self.no_base


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # drawn as a sum line


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    n: int | None  # the people the table describes; None when suppressed
    note: str = ""
    kind: str = "table"

    @property
    def has_suppressed(self) -> bool:
        return self.n is None or any(cell.suppressed for row in self.rows for cell in row.cells)


@dataclass(frozen=True)
class Chart:
    svg: Markup
    caption: str
    kind: str = "chart"
    # A drawing for a screen as narrow as a phone (the results page); the PDF draws `svg`.
    screen_svg: Markup | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Facts:
    """A definition list: population statement, person details."""

    items: tuple[tuple[str, str], ...]
    kind: str = "facts"


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Table | Chart | Paragraph | Facts, ...]
    page_break_before: bool = False


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    suppression_note: str  # the footnote for «–»
    generated_on: dt.date = field(default_factory=dt.date.today)
    header: str = ""  # running header on every page after the first

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
