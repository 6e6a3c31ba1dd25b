"""PDF summaries: plain data -> HTML (Jinja) -> PDF (WeasyPrint). Filled in by the reports work."""
