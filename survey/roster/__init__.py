"""The roster: employees, their positions and the units they work in, imported from HR files."""
