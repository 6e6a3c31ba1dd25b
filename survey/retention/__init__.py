"""Retention: how long drafts, used invitations, outbox rows, audit entries and people who left are kept; `survey maintenance` applies it."""
