"""The access policy: every endpoint, which roles may use it, and on which objects.

An endpoint that is not in this table is refused (and the policy test fails). Views do not
check roles themselves; they ask `survey.access.guard` for the objects they show."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping

from survey.accounts.models import Role


class Scope(enum.StrEnum):
    ALL = "all"  # every object
    UNIT = "unit"  # objects in the units the role is for, including sub-units
    CASE = "case"  # objects of the committee cases the person sits in
    OWN = "own"  # the person's own data


@dataclasses.dataclass(frozen=True)
class Rule:
    public: bool = False
    grants: Mapping[Role, Scope] = dataclasses.field(default_factory=dict)
    # Whether a browser or proxy may keep a copy. A page behind a login may show personal
    # data, the respondent's flow shows their answers: `Cache-Control: no-store` for both.
    cacheable: bool = False


# Public pages, and the respondent's flow: a respondent holds a capability (a link, a code or
# a signed session cookie), not an account.
PUBLIC = Rule(public=True, cacheable=True)
RESPONDENT = Rule(public=True)
# The probes of load balancers and monitoring (/healthz, /readyz): no personal data, and an
# answer about now, never kept by a cache.
PROBE = Rule(public=True)
ANY_ACCOUNT = Rule(grants={Role.ANSATT: Scope.OWN})
ADMIN_ONLY = Rule(grants={Role.ADMIN: Scope.ALL})
PERSONAL_DATA = Rule(
    grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL, Role.ENHETSLEDER: Scope.UNIT}
)
AGGREGATES = Rule(
    grants={
        Role.ADMIN: Scope.ALL,
        Role.PROSJEKTLEDER: Scope.ALL,
        Role.ENHETSLEDER: Scope.UNIT,
        Role.TILLITSVALGT: Scope.ALL,
        Role.VERNEOMBUD: Scope.ALL,
    }
)

# A campaign's raw data (a row per response) is not an aggregate: the project leader's and
# the administrator's only, never a unit leader's or a union representative's.
RAW_DATA = Rule(grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL})

# The mapping conversation, the «Endringer» inbox and the whole history of a living document
# are the project leader's; a unit leader sees the current records of their units only.
CONVERSATIONS = Rule(grants={Role.PROSJEKTLEDER: Scope.ALL})
LIVING_HISTORY = Rule(grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL})
# The ansettelsesutvalg: members see the cases they sit in; HR and project leaders every case.
COMMITTEE_CASES = Rule(
    grants={Role.UTVALGSMEDLEM: Scope.CASE, Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL}
)
VACANCIES = Rule(grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL})
# Where the year stands, and a campaign's response rates (from invitations, never answers):
# the project leader for the whole municipality, a unit leader for their units.
YEAR_AT_A_GLANCE = Rule(
    grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL, Role.ENHETSLEDER: Scope.UNIT}
)
# Survey rounds: the project leader runs them (invitations, texts, letters, delivery with
# names); a unit leader sees the list, counted for their units, and the response rates.
CAMPAIGNS = Rule(grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL})
CAMPAIGN_LIST = Rule(
    grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL, Role.ENHETSLEDER: Scope.UNIT}
)
# Questionnaires: upload, check, preview and activate them (a new version) is for the
# administrator and the project leader; a preview stores nothing.
QUESTIONNAIRES = Rule(grants={Role.ADMIN: Scope.ALL, Role.PROSJEKTLEDER: Scope.ALL})
# The follow-up list (whom to talk to, bookings, re-confirmation) is the project leader's.
FOLLOW_UP = Rule(grants={Role.PROSJEKTLEDER: Scope.ALL, Role.ADMIN: Scope.ALL})

POLICY: dict[str, Rule] = {
    "static": PUBLIC,
    "health.healthz": PROBE,
    "health.readyz": PROBE,
    "main.index": PUBLIC,
    "main.set_language": PUBLIC,
    "main.privacy": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.favicon": PUBLIC,
    "answering.welcome": RESPONDENT,
    "answering.start": RESPONDENT,
    "answering.invitation": RESPONDENT,
    "answering.start_invitation": RESPONDENT,
    "answering.resume": RESPONDENT,
    "answering.page": RESPONDENT,
    "answering.review": RESPONDENT,
    "answering.submit": RESPONDENT,
    "answering.receipt": RESPONDENT,
    # Typing in a paper form: the project leader starts it; the pages are the respondent's.
    "answering.start_paper": CAMPAIGNS,
    "auth.login": PUBLIC,
    "auth.login_link": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.oidc_login": PUBLIC,
    "auth.oidc_callback": PUBLIC,
    "auth.logout": ANY_ACCOUNT,
    "auth.logout_everywhere": ANY_ACCOUNT,
    "me.overview": ANY_ACCOUNT,
    "me.export": ANY_ACCOUNT,
    "me.confirm": ANY_ACCOUNT,
    "me.request_correction": ANY_ACCOUNT,
    "people.index": PERSONAL_DATA,
    "people.detail": PERSONAL_DATA,
    "people.history": LIVING_HISTORY,
    "conversations.start": CONVERSATIONS,
    "conversations.begin": CONVERSATIONS,
    "conversations.page": CONVERSATIONS,
    "conversations.review": CONVERSATIONS,
    "conversations.save": CONVERSATIONS,
    "conversations.conflict": CONVERSATIONS,
    "conversations.discard": CONVERSATIONS,
    "wishes.start": ANY_ACCOUNT,
    "wishes.begin": ANY_ACCOUNT,
    "wishes.page": ANY_ACCOUNT,
    "wishes.review": ANY_ACCOUNT,
    "wishes.save": ANY_ACCOUNT,
    "wishes.conflict": ANY_ACCOUNT,
    "wishes.discard": ANY_ACCOUNT,
    "living.inbox": CONVERSATIONS,
    "living.mark_handled": CONVERSATIONS,
    "living.reconfirmation": PERSONAL_DATA,
    "living.export": LIVING_HISTORY,
    "overview.index": YEAR_AT_A_GLANCE,
    "rates.campaign": YEAR_AT_A_GLANCE,
    "rates.download": YEAR_AT_A_GLANCE,
    "followup.index": FOLLOW_UP,
    "followup.person": FOLLOW_UP,
    "followup.set_status": FOLLOW_UP,
    "followup.book": FOLLOW_UP,
    "followup.reconfirmation": FOLLOW_UP,
    "followup.send_reconfirmation": FOLLOW_UP,
    "followup.send_reconfirmation_all": FOLLOW_UP,
    "classification.overview": PERSONAL_DATA,
    "results.index": AGGREGATES,
    "reporting.index": AGGREGATES,
    "reporting.heltid": AGGREGATES,
    "reporting.campaign": AGGREGATES,
    "reporting.raw_data": RAW_DATA,
    "reporting.person": PERSONAL_DATA,
    "reporting.own": ANY_ACCOUNT,
    "campaigns.index": CAMPAIGN_LIST,
    "campaigns.create": CAMPAIGNS,
    "campaigns.edit": CAMPAIGNS,
    "campaigns.detail": CAMPAIGNS,
    "campaigns.set_status": CAMPAIGNS,
    "campaigns.invite": CAMPAIGNS,
    "campaigns.invite_send": CAMPAIGNS,
    "campaigns.texts": CAMPAIGNS,
    "campaigns.letters": CAMPAIGNS,
    "campaigns.paper": CAMPAIGNS,
    "campaigns.remind": CAMPAIGNS,
    "campaigns.delivery": CAMPAIGNS,
    "campaigns.retry": CAMPAIGNS,
    "questionnaires.index": QUESTIONNAIRES,
    "questionnaires.upload": QUESTIONNAIRES,
    "questionnaires.upload_detail": QUESTIONNAIRES,
    "questionnaires.preview_upload": QUESTIONNAIRES,
    "questionnaires.activate": QUESTIONNAIRES,
    "questionnaires.preview": QUESTIONNAIRES,
    "questionnaires.xlsform": QUESTIONNAIRES,
    "questionnaires.paper": QUESTIONNAIRES,
    "questionnaires.upload_paper": QUESTIONNAIRES,
    "committee.index": COMMITTEE_CASES,
    "committee.create": VACANCIES,
    "committee.case": COMMITTEE_CASES,
    "committee.decide": COMMITTEE_CASES,
    "committee.set_status": COMMITTEE_CASES,
    "committee.allocation": COMMITTEE_CASES,
    "committee.pdf": COMMITTEE_CASES,
    "committee.add_member": VACANCIES,
    "committee.remove_member": VACANCIES,
    "committee.equivalences": VACANCIES,
    "committee.remove_equivalence": VACANCIES,
    "admin.users": ADMIN_ONLY,
    "admin.create_user": ADMIN_ONLY,
    "admin.user": ADMIN_ONLY,
    "admin.grant_role": ADMIN_ONLY,
    "admin.revoke_role": ADMIN_ONLY,
    "admin.login_link": ADMIN_ONLY,
    "admin.erase": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    "admin.roster_upload": ADMIN_ONLY,
    "admin.roster_preview": ADMIN_ONLY,
    "admin.units_upload": ADMIN_ONLY,
    "admin.units_preview": ADMIN_ONLY,
}


def rule_for(endpoint: str | None) -> Rule | None:
    return POLICY.get(endpoint or "")
