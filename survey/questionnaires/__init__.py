"""Questionnaire definitions as stored versions, loaded from the YAML files."""
