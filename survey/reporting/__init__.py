"""The query layer for PDF reports: figures aggregated in SQL, shaped into report tables."""
