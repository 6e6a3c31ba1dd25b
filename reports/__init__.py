"""PDF summaries: plain data -> HTML (Jinja) -> PDF (WeasyPrint).

This package never queries the database nor imports the web views: callers (the query layer in
`survey.reporting`) hand it dataclasses and dicts, and it renders them."""

from reports.render import (
    ARCHIVE_VARIANT,
    ASSETS_DIR,
    AssetsOnlyFetcher,
    PdfMetadata,
    html_to_pdf,
    render_html,
    render_pdf,
)

__all__ = [
    "ARCHIVE_VARIANT",
    "ASSETS_DIR",
    "AssetsOnlyFetcher",
    "PdfMetadata",
    "html_to_pdf",
    "render_html",
    "render_pdf",
]
