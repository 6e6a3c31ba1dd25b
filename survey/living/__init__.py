"""The living document («levende dokument»): each employee's record of position, wishes and
conditions, kept as immutable revisions (docs/domain.md § The Songdalen method: Living document)."""
