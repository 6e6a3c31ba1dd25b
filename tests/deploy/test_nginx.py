"""deploy/nginx/heltid.conf in front of gunicorn (deploy/gunicorn.conf.py), both on loopback
ports, walked over HTTPS with a self-signed certificate for «localhost»: a respondent answers
through a personal link, a staff member logs in, the client's address the app limits by is the
one nginx saw, and static files come from nginx, never from the app.

The site file is the one an operator installs; the test changes only its ports, name,
certificate paths, static folder and upstream (each must be found, so the file cannot drift
away from what is tested) and drops the IPv6 listeners."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from survey import create_app
from tests.answering.helpers import WANTS_MORE, answer_all, invite, make_campaign
from tests.conftest import ROOT, STAFF_PASSWORD, Respondent, _test_config, make_person
from tests.servers import app_environment, free_port, gunicorn
from tests.web.helpers import responses

SITE = ROOT / "deploy" / "nginx" / "heltid.conf"
# WTForms writes the hidden field's attributes in its own order.
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NAME = "localhost"  # a name, not an address: clients send it as SNI, as browsers do


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    message = "nginx not found; run scripts/test.sh (it installs nginx-light)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"]
        + ["-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}"],
        check=True,
        capture_output=True,
    )
    return cert, key


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} is no longer in {SITE.name}: update the test"
    return text.replace(old, new)


def render_site(folder: Path, *, https: int, http: int, upstream: int, cert: Path, key: Path):
    """The site file on this machine's loopback ports, and a main nginx.conf around it that
    keeps every file nginx writes in `folder` (nginx runs as whoever runs the tests)."""
    site = SITE.read_text()
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    site = _replace(site, "listen 443 ", f"listen 127.0.0.1:{https} ")
    site = _replace(site, "listen 80", f"listen 127.0.0.1:{http}")
    site = _replace(site, "server_name heltid.kommune.no;", f"server_name {NAME};")
    site = _replace(site, "/etc/ssl/heltid/fullchain.pem", str(cert))
    site = _replace(site, "/etc/ssl/heltid/privkey.pem", str(key))
    site = _replace(site, "/var/log/nginx/", f"{folder}/")
    site = _replace(site, "alias /opt/heltid/survey/static/;", f"alias {ROOT}/survey/static/;")
    site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    (folder / "heltid.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root nginx would hand its workers to «nobody», who cannot read the test's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/other-access.log;
{temp}
    include {folder}/heltid.conf;
}}
"""
    )
    return folder / "nginx.conf"


@contextmanager
def nginx(config: Path, https: int, cert: Path) -> Iterator[None]:
    folder = config.parent
    command = [_nginx(), "-p", str(folder), "-c", str(config), "-g", "daemon off;"]
    check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    with (folder / "nginx.out").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, session = time.monotonic() + 20, browser(cert)
        while True:
            try:
                session.get(f"https://{NAME}:{https}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    out_text = (folder / "nginx.out").read_text()
                    raise AssertionError(f"nginx did not start:\n{out_text}") from None
                time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class FromAddress(HTTPAdapter):
    """Connects from another loopback address (127.0.0.0/8 is all ours): another client."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def log_text(log: Path, expected: str, timeout: float = 10) -> str:
    """The log once it holds `expected`: nginx and the app write a request's line after the
    response has gone out, so the client can read the file before the line is there."""
    deadline = time.monotonic() + timeout
    while expected not in (text := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return text


def browser(cert: Path, address: str | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy, and no CA bundle from the environment over `verify`
    session.verify = str(cert)  # the certificate is checked, name and all

    def remember_page(response, *args, **kwargs):
        # The page a form was on goes with it, as Flask-WTF requires over HTTPS, unless the
        # page forbade it as a browser would obey (every request here is same-origin).
        if response.headers.get("Referrer-Policy") == "no-referrer":
            session.headers.pop("Referer", None)
        else:
            session.headers["Referer"] = response.url

    session.hooks["response"].append(remember_page)
    if address:
        session.mount("https://", FromAddress(address))
    return session


class HttpClient:
    """Just enough of Flask's test client for tests.conftest.Respondent, over real HTTPS."""

    def __init__(self, base: str, session: requests.Session):
        self.base, self.session = base, session

    def _url(self, url: str) -> str:
        return url if url.startswith("https://") else self.base + url

    def get(self, url, follow_redirects=False):
        return _Page(self.session.get(self._url(url), allow_redirects=follow_redirects))

    def post(self, url, data=None, follow_redirects=False):
        return _Page(self.session.post(self._url(url), data=data, allow_redirects=follow_redirects))


class _Page:
    def __init__(self, response: requests.Response):
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.request = SimpleNamespace(path=urlsplit(response.url).path)

    def get_data(self, as_text=False):
        return self.response.text if as_text else self.response.content


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    """nginx → gunicorn → the app on a copy of the SQLite template, one for the module's
    tests; yields what they need: the app (for setting up and reading the database), URLs,
    the certificate, the logs."""
    _nginx()
    tmp_path = tmp_path_factory.mktemp("deploy")
    database = tmp_path / "app.sqlite3"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    app = create_app(_test_config(url, tmp_path))
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = _certificate(folder)
    https, http, upstream = free_port(), free_port(), free_port()
    config = render_site(folder, https=https, http=http, upstream=upstream, cert=cert, key=key)
    env = app_environment(
        url,
        PROXY_COUNT="1",
        SESSION_COOKIE_SECURE="true",
        BASE_URL=f"https://{NAME}",
        RATELIMIT_STORAGE_URI="memory://",  # one worker: its counters are all there is
    )
    app_log = tmp_path / "gunicorn.log"
    with gunicorn(env, app_log, port=upstream), nginx(config, https, cert):
        yield SimpleNamespace(
            app=app,
            base=f"https://{NAME}:{https}",
            http=f"http://127.0.0.1:{http}",
            cert=cert,
            app_log=app_log,
            access_log=folder / "heltid-access.log",
        )
    with app.app_context():
        from survey.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_a_respondent_answers_through_nginx_and_no_token_is_logged(site):
    campaign_id, slug = make_campaign(site.app, mode="confidential")
    token = invite(site.app, campaign_id)
    respondent = Respondent(HttpClient(site.base, browser(site.cert)))

    receipt = answer_all(respondent, token, slug, WANTS_MORE)

    assert respondent.last.request.path == f"/s/{slug}/kvittering", receipt
    [(status, answers)] = responses(site.app)
    assert status == "submitted" and answers["onsket_prosent"] == 80.0, answers
    # The request id nginx made is the one the app logged and echoed.
    request_id = respondent.last.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f"request={request_id} " in log_text(site.app_log, f"request={request_id} ")
    assert request_id in log_text(site.access_log, request_id)
    # Neither nginx's access log nor the app's has the personal link.
    access = site.access_log.read_text()
    assert access.count("\n") >= 10 and " POST 302 " in access, access
    assert token not in access and token not in site.app_log.read_text()


def test_staff_log_in_behind_nginx_gets_a_secure_cookie_and_https_links(site):
    make_person(site.app, "admin", email="admin@kommune.no")
    employee_id = make_person(site.app, "ansatt", email="kari@kommune.no", password=None)
    session = browser(site.cert)

    form = session.get(f"{site.base}/logg-inn")
    csrf = CSRF_RE.search(form.text).group(1)
    login = session.post(
        f"{site.base}/logg-inn",
        data={"csrf_token": csrf, "email": "admin@kommune.no", "password": STAFF_PASSWORD},
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text
    cookie = next(c for c in session.cookies if c.name == "session")
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly"), cookie
    assert "Secure" in login.headers["Set-Cookie"]
    assert login.headers["Strict-Transport-Security"].startswith("max-age=")

    user_page = session.get(f"{site.base}/admin/brukere/{employee_id}")
    assert user_page.status_code == 200 and "kari@kommune.no" in user_page.text
    csrf = CSRF_RE.search(user_page.text).group(1)
    link_page = session.post(
        f"{site.base}/admin/brukere/{employee_id}/innloggingslenke", data={"csrf_token": csrf}
    )
    # The app saw the scheme and name nginx was asked by (X-Forwarded-Proto, -Host).
    assert link_page.status_code == 200, link_page.text
    assert re.search(re.escape(site.base) + r"/lenke/[\w-]+", link_page.text), link_page.text

    # Plain HTTP only redirects to HTTPS; an unknown name gets no answer at all.
    plain = session.get(f"{site.http}/logg-inn", headers={"Host": NAME}, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"] == f"https://{NAME}/logg-inn"
    with pytest.raises(requests.ConnectionError):
        session.get(f"{site.http}/logg-inn", headers={"Host": "evil.example"})
    with pytest.raises(requests.ConnectionError):
        session.get(f"{site.base}/glemt-passord", headers={"Host": "evil.example"})


def test_rate_limit_counts_the_address_nginx_saw_not_a_forged_header(site):
    """LOGIN_RATE_LIMIT: 60 log-in tries a minute per address, here by guessing log-in links
    (a POST to /lenke/<token>, cheaper than a password). A client sending another
    X-Forwarded-For with every try is still one address; another client is not limited."""
    attacker, other = browser(site.cert, "127.0.0.3"), browser(site.cert, "127.0.0.4")

    def guess(session, forged: str) -> int:
        form = session.get(f"{site.base}/logg-inn")  # a page with the session's CSRF token
        csrf = CSRF_RE.search(form.text).group(1)
        return session.post(
            f"{site.base}/lenke/guessed-{forged}",
            data={"csrf_token": csrf},
            headers={"X-Forwarded-For": forged},
        ).status_code

    statuses = [guess(attacker, f"10.0.{n // 250}.{n % 250}") for n in range(60)]
    assert statuses == [404] * 60, statuses
    assert guess(attacker, "10.9.9.9") == 429
    assert guess(other, "10.0.0.1") == 404


def test_static_files_come_from_nginx_with_long_caching(site):
    session = browser(site.cert)
    page = session.get(f"{site.base}/personvern")
    assert page.headers["Content-Encoding"] == "gzip"  # the app's pages too
    [stylesheet] = re.findall(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page.text)

    served = session.get(site.base + stylesheet)

    assert served.status_code == 200
    assert served.content == (ROOT / "survey" / "static" / "style.css").read_bytes()
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["Content-Encoding"] == "gzip"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # Not the app: it puts a request id and a content security policy on everything.
    assert "X-Request-ID" not in served.headers and "Content-Security-Policy" not in served.headers
    time.sleep(0.3)  # a line for the static file, were there one, would be there by now
    app_log = log_text(site.app_log, "GET main.privacy 200")
    assert "GET main.privacy 200" in app_log and " static " not in app_log, app_log


def test_uploads_above_the_apps_limit_stop_at_nginx(site):
    """client_max_body_size is the app's UPLOAD_MAX_BYTES (10 MiB): a larger body is refused
    by nginx from its Content-Length, before any of it is read or reaches the app."""
    port = urlsplit(site.base).port
    context = ssl.create_default_context(cafile=str(site.cert))
    connection = http.client.HTTPSConnection(NAME, port, context=context, timeout=30)
    connection.putrequest("POST", "/admin/ansatte/import")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
    connection.endheaders()
    refused = connection.getresponse()
    assert refused.status == 413 and refused.getheader("X-Request-ID") is None
    connection.close()
