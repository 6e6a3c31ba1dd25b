"""PDF summaries: plain data -> HTML (Jinja) -> PDF (WeasyPrint).

This package never queries the database nor imports the web views: callers (the query layer in
`survey.reporting`) hand it dataclasses and dicts, and it renders them.

Importing the package (or `reports.formatting`, `reports.charts`, `reports.model`) does not
import WeasyPrint: the names below come from `reports.render`, which is loaded on first use
(`from reports import html_to_pdf` inside the function that makes a PDF)."""

from __future__ import annotations

import importlib

__all__ = [
    "ARCHIVE_VARIANT",
    "ASSETS_DIR",
    "AssetsOnlyFetcher",
    "PdfMetadata",
    "html_to_pdf",
    "render_html",
    "render_pdf",
]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("reports.render"), name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
