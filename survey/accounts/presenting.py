"""Accounts as people read them: the names of the roles in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.accounts.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator (HR)"),
    Role.PROSJEKTLEDER: _l("Project leader"),
    Role.ENHETSLEDER: _l("Unit leader"),
    Role.UTVALGSMEDLEM: _l("Committee member"),
    Role.TILLITSVALGT: _l("Union representative"),
    Role.VERNEOMBUD: _l("Safety representative"),
    Role.ANSATT: _l("Employee"),
}
