"""People, their roles and how they log in."""
