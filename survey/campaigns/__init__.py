"""Campaigns (one round of a questionnaire) and personal invitations."""
