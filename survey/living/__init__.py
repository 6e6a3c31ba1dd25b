"""The living document («levende dokument»): each employee's record of position, wishes and
conditions, kept as immutable revisions (Songdalen method, domain.md §2)."""
