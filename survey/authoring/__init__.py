"""Questionnaire authoring on the web: upload a YAML or XLSForm file, see the checks' errors,
preview it page by page as a respondent would, and activate it as a questionnaire version.

A package of its own above `questionnaires` (the stored versions) and `answering` (the pages
as a respondent sees them): answering reads stored versions, so the preview could not live in
`questionnaires` without a cycle between the two."""
