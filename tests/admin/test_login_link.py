"""Login links made by HR: shown once, printable with a QR code, usable exactly once."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import socketserver
import threading

import pytest
from sqlalchemy import select

from tests.admin.conftest import audit_entries
from tests.conftest import every_row, make_person

LINK_RE = re.compile(r'href="(http://localhost/lenke/([A-Za-z0-9_-]+))"')
SVG_RE = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)
# Whatever order the attributes come in (hidden_tag() puts id and type in between).
CSRF_INPUT_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def _press_login(client, url):
    """Open the link and press its «Log in» button, as the employee would."""
    page = client.get(url)
    if page.status_code != 200:
        return page
    token = CSRF_INPUT_RE.search(page.get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token})


def _make_link(admin, person_id, **data):
    admin.get(f"/admin/brukere/{person_id}")
    admin.post(f"/admin/brukere/{person_id}/innloggingslenke", data)
    assert admin.last.status_code == 200
    match = LINK_RE.search(admin.html)
    assert match, "no login link on the page"
    return match.group(1), match.group(2)


def _all_rows_text(database_url) -> str:
    return "\n".join(repr(row) for _table, row in every_row(database_url))


def test_login_link_logs_in_exactly_once(app, admin, admin_id, database_url):
    person_id = make_person(app, email="eva@kommune.no", name="Eva Eriksen", password=None)
    url, token = _make_link(admin, person_id)

    page = admin.last
    assert page.headers["Cache-Control"] == "no-store"
    assert "Eva Eriksen" in admin.html
    [svg] = SVG_RE.findall(admin.html)
    assert 'class="qr-code"' in svg
    assert "<path" in svg
    assert "style=" not in svg  # the CSP allows no inline styles
    assert "<script" not in admin.html

    # Only the hash is stored, nowhere the token itself.
    from survey.accounts.models import LoginToken, TokenPurpose
    from survey.extensions import db

    with app.app_context():
        [row] = db.session.scalars(select(LoginToken)).all()
        assert row.person_id == person_id
        assert row.purpose is TokenPurpose.LOGIN
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in _all_rows_text(database_url)

    [entry] = audit_entries(app, "login_link_created")
    assert entry["actor_id"] == admin_id
    assert entry["subject_id"] == person_id

    employee = app.test_client()
    used = _press_login(employee, url)
    assert used.status_code == 302
    assert used.headers["Location"].endswith("/meg/")
    own_page = employee.get("/meg/")
    assert own_page.status_code == 200
    assert "Eva Eriksen" in own_page.get_data(as_text=True)

    # A second use, from another device, is refused.
    assert _press_login(app.test_client(), url).status_code == 404


def test_no_email_option_without_a_mail_server(app, admin):
    person_id = make_person(app, email="tor@kommune.no")
    admin.get(f"/admin/brukere/{person_id}")
    assert 'name="send"' not in admin.html
    # Asking anyway sends nothing and still shows the link.
    _make_link(admin, person_id, send="1")
    [entry] = audit_entries(app, "login_link_created")
    assert entry["detail"]["by_email"] is False


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message: a stand-in for the municipality's server."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines).decode())
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_login_link_can_also_be_emailed(app, admin, smtp_server, caplog):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False
    )
    person_id = make_person(app, email="siri@kommune.no", name="Siri")
    admin.get(f"/admin/brukere/{person_id}")
    assert 'name="send"' in admin.html

    url, token = _make_link(admin, person_id, send="1")
    [raw] = smtp_server.messages
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["To"] == "siri@kommune.no"
    assert url in message.get_content()
    [entry] = audit_entries(app, "login_link_created")
    assert entry["detail"]["by_email"] is True
    # The log names the recipient by id, never by address.
    assert f"e-mail sent to person {person_id}" in caplog.messages
    assert "siri@kommune.no" not in caplog.text and token not in caplog.text


def test_login_link_for_an_unknown_person_is_404(admin, admin_id):
    admin.get(f"/admin/brukere/{admin_id}")
    assert admin.post("/admin/brukere/999999/innloggingslenke").status_code == 404
