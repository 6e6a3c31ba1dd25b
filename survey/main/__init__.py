"""The front page, language choice and other pages that belong to no feature."""
