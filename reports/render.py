"""HTML from the report templates, PDF from that HTML with WeasyPrint.

WeasyPrint fetches stylesheets, fonts and images through `AssetsOnlyFetcher`, which serves
files from `reports/assets/` and refuses everything else: no remote URLs (a report must not
call out, and its content comes from people's answers), no other local files, no data: URLs.
Fonts are the bundled DejaVu Sans, embedded (subset) in every PDF, so a report looks the same
on any machine and passes PDF/A's rule that all fonts are embedded.

Importing this module imports WeasyPrint (`AssetsOnlyFetcher` subclasses its `URLFetcher`),
about 0,6 s and 30 MiB: callers import it inside the function that makes a PDF, never at the
top of a module a web worker or the command line loads anyway."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree

import jinja2
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from reports import charts, formatting
from reports.catalogs import LANGUAGES, PACKAGE_DIR, TRANSLATIONS_DIR

ASSETS_DIR = PACKAGE_DIR / "assets"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
# PDF/A-1b (ISO 19005-1): accepted by Noark 5 archives, and the level a validator available
# here checks (Apache PDFBox Preflight, tests/reports/test_pdfa.py). It forbids transparency:
# the templates and charts use none (see reports/charts.py).
ARCHIVE_VARIANT = "pdf/a-1b"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class AssetRefused(ValueError):
    """A template or stylesheet asked for something outside reports/assets/."""


def _weasyprint_fetcher_base():
    from weasyprint.urls import URLFetcher

    return URLFetcher


class AssetsOnlyFetcher(_weasyprint_fetcher_base()):
    """Serves files under reports/assets/ and refuses every other URL (kept in `refused`)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        from weasyprint.urls import URLFetcherResponse

        parts = urlsplit(url)
        path = None
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
        if path is None or not path.is_relative_to(ASSETS_DIR) or not path.is_file():
            self.refused.append(url)
            raise AssetRefused(f"refused to fetch {url!r}: reports only load their own assets")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


@dataclass(frozen=True)
class PdfMetadata:
    """Document information the archive needs (also written as PDF/A XMP metadata)."""

    title: str
    author: str
    lang: str
    subject: str = ""
    keywords: tuple[str, ...] = ()
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@lru_cache
def _translations(lang: str) -> NullTranslations:
    translations = Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")
    return translations


# The text block of an A4 page (report.css: 17 mm side margins) and the tables' font size.
TEXT_WIDTH_MM = 210 - 2 * 17
TABLE_FONT_PT = 8.5
CELL_PADDING_MM = 3.2
NUMBER_COLUMN_MM = 20.0  # room for «100,0 %» or «12 345» with space to the next column
LABEL_COLUMN_MM = 36.0


def column_widths(columns) -> list[float]:
    """Widths in per cent of a data table's columns: each number column as wide as the
    longest word of its heading (bold), at least NUMBER_COLUMN_MM; the label column gets
    the rest. Tables are laid out with `table-layout: fixed` from these widths: WeasyPrint
    then need not measure every cell, and a long heading wraps between words instead of
    squeezing the labels."""
    numbers = [
        max(
            NUMBER_COLUMN_MM,
            max(
                charts.text_width(word, TABLE_FONT_PT, bold=True) * 25.4 / 72
                for word in str(column).split()
            )
            + CELL_PADDING_MM,
        )
        for column in columns[1:]
    ]
    room = TEXT_WIDTH_MM - LABEL_COLUMN_MM
    if sum(numbers) > room:  # too many columns: shrink them alike (headings hyphenate)
        numbers = [width * room / sum(numbers) for width in numbers]
    label = TEXT_WIDTH_MM - sum(numbers)
    return [round(100 * width / TEXT_WIDTH_MM, 2) for width in (label, *numbers)]


@lru_cache
def environment(lang: str) -> jinja2.Environment:
    """The Jinja environment for report templates in one language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; choose one of {LANGUAGES}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_translations(_translations(lang), newstyle=True)
    env.filters["count"] = lambda value: formatting.count(value, lang)
    env.filters["percent"] = lambda value: formatting.percent(value, lang)
    env.filters["decimal"] = lambda value, digits=1: formatting.decimal(value, lang, digits)
    env.filters["date"] = lambda value: formatting.date(value, lang)
    env.filters["cell"] = lambda value: formatting.cell(value, lang)
    env.globals["lang"] = lang
    env.globals["charts"] = charts
    env.globals["column_widths"] = column_widths
    env.globals["SUPPRESSED"] = formatting.SUPPRESSED
    return env


def render_html(template: str, context: dict[str, Any], lang: str, metadata: PdfMetadata) -> str:
    return environment(lang).get_template(template).render(**context, meta=metadata)


def xmp_for_pdfbox(xmp: bytes) -> bytes:
    """The XMP packet with the namespaces declared on each `rdf:Description`.

    WeasyPrint declares every namespace once, on `rdf:RDF`. That is valid XML and XMP, but
    PDFBox 2's XMP parser only looks for a property's namespace on the `rdf:Description` around
    it, so Preflight stops at «Schema is not set in this document : …/pdfa/ns/id/» and checks
    no further. Serialising each description on its own declares its namespaces on it: the
    same RDF, read alike by every parser."""
    start, end = xmp.find(b"<rdf:RDF"), xmp.find(b"</rdf:RDF>")
    if start < 0 or end < 0:
        return xmp
    rdf = ElementTree.fromstring(xmp[start : end + len(b"</rdf:RDF>")])
    descriptions = "".join(ElementTree.tostring(d, encoding="unicode") for d in rdf)
    return (
        xmp[:start]
        + f'<rdf:RDF xmlns:rdf="{RDF}">{descriptions}</rdf:RDF>'.encode()
        + xmp[end + len(b"</rdf:RDF>") :]
    )


def _archival_finisher(document, pdf) -> None:
    """A WeasyPrint finisher: rewrite the XMP metadata stream (see above)."""
    reference = pdf.catalog["Metadata"]  # b"12 0 R"
    if isinstance(reference, bytes):
        reference = reference.decode()
    stream = pdf.objects[int(str(reference).split()[0])]
    content = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in stream.stream
    )
    stream.stream = [xmp_for_pdfbox(content)]


def html_to_pdf(
    html: str, *, archival: bool = False, fetcher: AssetsOnlyFetcher | None = None
) -> bytes:
    """The PDF for `html` rendered by a report template. `archival` gives PDF/A-1b."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(
        string=html,
        base_url=ASSETS_DIR.as_uri() + "/",
        url_fetcher=fetcher or AssetsOnlyFetcher(),
    )
    options: dict[str, Any] = {"font_config": font_config}
    if archival:
        options["pdf_variant"] = ARCHIVE_VARIANT
        options["finisher"] = _archival_finisher
    return document.write_pdf(**options)


def render_pdf(
    template: str,
    context: dict[str, Any],
    lang: str,
    metadata: PdfMetadata,
    *,
    archival: bool = False,
) -> bytes:
    return html_to_pdf(render_html(template, context, lang, metadata), archival=archival)


def markup(text: str) -> Markup:
    return Markup(text)
