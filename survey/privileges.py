"""Least privilege on PostgreSQL: the role the app runs as reads and writes rows, owns nothing."""
