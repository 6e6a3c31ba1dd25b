"""Two gunicorn app servers over one PostgreSQL database and one Redis: everything a request
needs is shared, so a visitor may land on either server at every request.

(The directory is not tests/servers/: a package of that name would hide tests/servers.py.)"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from urllib.parse import urlparse

import pytest
import redis
import requests
from sqlalchemy import select

from survey import create_app
from survey.accounts.models import Person
from survey.audit.models import AuditEntry
from survey.audit.services import Action
from survey.extensions import db
from tests.answering.helpers import WANTS_MORE, invite, make_campaign
from tests.conftest import STAFF_PASSWORD, _test_config, make_person
from tests.servers import REDIS_URL, app_environment, free_port, gunicorn
from tests.web.helpers import responses

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SHOWN = re.compile(r'name="shown" value="([^"]*)"')
LOGIN_LIMIT = 10  # per minute and address, across both servers
FREE_ATTEMPTS = 5  # wrong passwords before the account locks


class Visitor:
    """A browser without JavaScript with one cookie jar (cookies do not depend on the port)
    whose requests go to the servers in the order A B B A: a form shown by one server is
    sent to the other, and the posts alternate between them as the pages do."""

    def __init__(self, bases: list[str], forwarded_for: str) -> None:
        first, second = bases
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = forwarded_for
        self.bases = itertools.cycle([first, second, second, first])
        self.last: requests.Response | None = None
        self.csrf_token: str | None = None  # one per session: a refused post shows no form

    def _seen(self, response: requests.Response) -> requests.Response:
        self.last = response
        found = CSRF.search(response.text)
        if found:
            self.csrf_token = found.group(1)
        return response

    def get(self, path: str) -> requests.Response:
        return self._seen(
            self.session.get(next(self.bases) + path, allow_redirects=False, timeout=30)
        )

    def post(self, path: str, data: dict) -> requests.Response:
        return self._seen(
            self.session.post(
                next(self.bases) + path,
                data={"csrf_token": self.csrf_token, **data},
                allow_redirects=False,
                timeout=30,
            )
        )

    def location(self) -> str:
        assert self.last.status_code in (302, 303), (self.last.status_code, self.last.text)
        return urlparse(self.last.headers["Location"]).path


def answer_every_page(visitor: Visitor, token: str, slug: str, pages: dict[str, dict]) -> None:
    visitor.get(f"/i/{token}")
    assert visitor.last.status_code == 200
    visitor.post(f"/i/{token}", {})
    path = visitor.location()
    while "/side/" in path:
        name = path.rsplit("/", 1)[1]
        visitor.get(path)
        assert visitor.last.status_code == 200, visitor.last.text
        shown = SHOWN.search(visitor.last.text).group(1)
        visitor.post(path, {"action": "next", "shown": shown, **pages.get(name, {})})
        following = visitor.location()
        if following != path:  # else the answers revealed more questions: post it again
            path = following
    assert path.endswith("/oppsummering"), path
    visitor.get(path)
    visitor.post(f"/s/{slug}/send", {})
    assert visitor.location().endswith("/kvittering")
    assert visitor.get(visitor.location()).status_code == 200


def _plain(value):
    """A stored answer as the form sent it (numbers come back from JSONB as floats)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@pytest.fixture
def database(postgres_url, app_role_url, tmp_path):
    """(the URL the servers use: the least-privileged app role's, an app on the owner's URL
    for setting up and checking)."""
    app = create_app(_test_config(postgres_url, tmp_path))
    yield app_role_url, app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def key_prefix():
    """A Redis key prefix of the test's own, its keys deleted afterwards."""
    prefix = f"heltid-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_two_servers_share_answers_rate_limits_and_lock_out(database, key_prefix, tmp_path):
    server_url, app = database
    campaign_id, slug = make_campaign(app)
    token = invite(app, campaign_id)
    staff_id = make_person(app, "prosjektleder", email="pia@kommune.no")
    env = app_environment(
        server_url,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=key_prefix,
        LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
        PROXY_COUNT="1",  # the client address is X-Forwarded-For's, as behind nginx
    )
    with ExitStack() as stack:
        # Started side by side (each takes seconds to import the app); a server that did
        # start is stopped by the stack even when the other fails.
        with ThreadPoolExecutor(max_workers=2) as pool:
            bases = list(
                pool.map(
                    lambda n: stack.enter_context(gunicorn(env, tmp_path / f"server{n}.log")),
                    (1, 2),
                )
            )
        assert bases[0] != bases[1]
        for base in bases:  # ready, as the least-privileged role, with the same schema
            ready = requests.get(base + "/readyz", timeout=10)
            assert (ready.status_code, ready.json()["migrations"]) == (200, "ok"), ready.text

        # (a) A respondent's pages, alternately on both servers, with one cookie jar.
        respondent = Visitor(bases, forwarded_for="10.0.0.1")
        answer_every_page(respondent, token, slug, WANTS_MORE)

        # (b) Twenty wrong passwords from one address, alternately on both servers.
        guesser = Visitor(bases, forwarded_for="10.0.0.66")
        statuses = []
        guesser.get("/logg-inn")
        for attempt in range(20):
            guesser.post("/logg-inn", {"email": "pia@kommune.no", "password": f"feil {attempt}"})
            statuses.append(guesser.last.status_code)
        # One count in Redis for both servers: per-process counters would let 2 × 10 through.
        assert statuses.count(429) == 20 - LOGIN_LIMIT, statuses
        assert statuses[:LOGIN_LIMIT] == [401] * LOGIN_LIMIT, statuses

        # The right password from another address (past the address limit) is refused:
        # the account is locked, in the database, for both servers.
        other = Visitor(bases, forwarded_for="10.0.0.67")
        other.get("/logg-inn")
        other.post("/logg-inn", {"email": "pia@kommune.no", "password": STAFF_PASSWORD})
        assert other.last.status_code == 401, other.last.text
        assert "For mange mislykkede forsøk" in other.last.text
        for visitor in (respondent, guesser, other):
            visitor.session.close()  # no open keep-alive connection delays the shutdown

    # Both servers took the respondent's pages and the guesses, and refused some.
    for n in (1, 2):
        log = (tmp_path / f"server{n}.log").read_text()
        for line in ("POST answering.page 302", "POST auth.login 401", "POST auth.login 429"):
            assert line in log, (n, line)

    # The answers stored are the ones sent.
    [(status, stored)] = responses(app)
    assert status == "submitted"
    sent = {question: value for page in WANTS_MORE.values() for question, value in page.items()}
    assert {question: _plain(stored[question]) for question in sent} == sent

    with app.app_context():
        person = db.session.get(Person, staff_id)
        # Counted once per wrong password that reached a server, on either of them.
        assert person.failed_logins == FREE_ATTEMPTS + 1
        assert person.locked_until.replace(tzinfo=dt.UTC) > dt.datetime.now(dt.UTC)
        assert person.last_login_at is None
        # (c) The audit log: the failures, then the refusals while locked; no log-in.
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == staff_id)
            .order_by(AuditEntry.id)
        ).all()
    locked_refusals = LOGIN_LIMIT - FREE_ATTEMPTS + 1  # the sixth failure locks; + the 21st
    assert (
        actions == [Action.LOGIN_FAILED] * FREE_ATTEMPTS + [Action.LOGIN_LOCKED] * locked_refusals
    )


def test_log_in_works_while_redis_is_down(database, tmp_path):
    """Redis unreachable: the limiter says so in the log and counts in the process's memory;
    log-in is neither refused nor an error."""
    server_url, app = database
    make_person(app, "prosjektleder", email="pia@kommune.no")
    env = app_environment(
        server_url,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}",  # nothing listens there
        LOGIN_RATE_LIMIT="3 per minute",
        PROXY_COUNT="1",
    )
    log = tmp_path / "server.log"
    with gunicorn(env, log) as base:
        guesser = Visitor([base, base], forwarded_for="10.0.0.66")
        guesser.get("/logg-inn")
        statuses = []
        for attempt in range(5):
            guesser.post("/logg-inn", {"email": "pia@kommune.no", "password": f"feil {attempt}"})
            statuses.append(guesser.last.status_code)
        assert statuses == [401, 401, 401, 429, 429]

        owner = Visitor([base, base], forwarded_for="10.0.0.67")
        owner.get("/logg-inn")
        owner.post("/logg-inn", {"email": "pia@kommune.no", "password": STAFF_PASSWORD})
        assert owner.location() == "/meg/"
        for visitor in (guesser, owner):
            visitor.session.close()
    text = log.read_text()
    assert "Rate limit storage unreachable" in text
    assert "10.0.0.66" not in text  # the app's log names no client addresses
