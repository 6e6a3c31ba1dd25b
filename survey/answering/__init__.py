"""Employees answering a questionnaire, one page at a time."""
