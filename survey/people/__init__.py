"""Staff looking up a person's identified data (audit-logged)."""
