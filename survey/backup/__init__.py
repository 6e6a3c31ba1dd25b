"""`survey backup` and `survey restore`: the whole database with a manifest (schema revision, counts per table, checksum)."""
