"""Mapping conversations and the employee's own updates: drafts that become living-document revisions."""
