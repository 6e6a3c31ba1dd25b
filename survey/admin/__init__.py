"""Administration for HR: users, roles, login links, erasure and the audit log."""
