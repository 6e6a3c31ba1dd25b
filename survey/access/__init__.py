"""Who may use which endpoint, on which objects: declared once in policy.py, enforced here."""
