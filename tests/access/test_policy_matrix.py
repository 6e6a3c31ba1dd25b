"""Every URL rule × every role (and anonymous) against the policy table.

An endpoint missing from survey.access.policy.POLICY fails here, so nothing can be added
to the app without deciding who may use it."""

from __future__ import annotations

import pytest

from survey.access.policy import POLICY
from survey.accounts.models import Role
from tests.conftest import login_as, make_person

ANONYMOUS = "anonymous"
MISSING_ID = 999_999  # ids in URLs point nowhere: the policy answers before any object is read


def url_for_rule(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = MISSING_ID if type(converter).__name__ == "IntegerConverter" else "x"
    if rule.endpoint == "static":
        values["filename"] = "style.css"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def matrix_app(app):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF is tested elsewhere; here only the policy
    return app


@pytest.fixture
def people(matrix_app):
    made = {}
    for role in Role:
        extra = () if role is Role.ANSATT else (role.value,)
        made[role] = make_person(matrix_app, *extra, unit="matrix_unit", password=None)
    return made


def test_every_endpoint_is_in_the_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(POLICY))
    assert missing == [], f"endpoints missing from the access policy: {missing}"


def test_policy_has_no_stale_entries(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(POLICY) - endpoints) == []


def test_every_rule_for_every_role(matrix_app, people):
    failures = []
    for rule in matrix_app.url_map.iter_rules():
        policy = POLICY[rule.endpoint]
        url = url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in [ANONYMOUS, *Role]:
                client = matrix_app.test_client()
                if who != ANONYMOUS:
                    login_as(client, matrix_app, people[who])
                response = client.open(url, method=method)
                status = response.status_code
                to_login = status == 302 and "/logg-inn" in response.headers.get("Location", "")
                if policy.public:
                    ok = status not in (401, 403) and not to_login
                    expected = "public"
                elif who == ANONYMOUS:
                    ok = (to_login and method == "GET") or (status == 401 and method != "GET")
                    expected = "log-in required"
                elif {who, Role.ANSATT} & set(policy.grants):  # everyone is also an ansatt
                    ok = status not in (401, 403) and not to_login
                    expected = "allowed"
                else:
                    ok = status == 403
                    expected = "forbidden"
                if not ok:
                    failures.append(f"{method} {url} as {who}: {status}, expected {expected}")
    assert failures == []
