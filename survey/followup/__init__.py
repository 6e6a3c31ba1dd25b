"""The project leader's follow-up list: who wants more, and where their conversation stands."""
