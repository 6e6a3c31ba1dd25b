"""An employee's own page: what is stored about them, who has read it, and a download."""
