"""A web worker's resident memory after 1 000 requests over a mix of pages.

    .venv/bin/python benchmarks/worker_memory.py                   # SQLite, 1 000 requests
    .venv/bin/python benchmarks/worker_memory.py --database postgresql
    .venv/bin/python benchmarks/worker_memory.py --app-root /tmp/old-checkout   # another version

Sets up a confidential campaign with personal links and an administrator (as
benchmarks/answer_flow.py does), starts gunicorn with one worker (`-k gthread --threads 4`),
and sends `--requests` requests from 4 clients: respondents answering the whole questionnaire
from their personal link (welcome, start, every page, send: 19 requests each), and between
two respondents the administrator's campaign list and campaign page. It prints the worker's
VmRSS from /proc/<pid>/status right after start-up, after the first questionnaire and at the
end, and its peak (VmHWM), with the load average. `--app-root` runs the app from another
checkout (its own `survey` package and `wsgi.py`; this script and the venv stay), to compare
versions on the same machine in the same hour.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import answer_flow as flow  # noqa: E402  (the set-up, the respondent and the server wrapper)

ADMIN_EMAIL = "admin@example.no"
ADMIN_PASSWORD = "en lang nok passordfrase for benchmark"
FORM_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')  # WTForms' hidden_tag


def status(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (MiB) of a process."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def add_administrator(database: str) -> None:
    from survey import create_app
    from survey.accounts import services
    from survey.accounts.models import Role
    from survey.db import unit_of_work

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "x"})
    with app.app_context(), unit_of_work():
        person = services.create_person(ADMIN_EMAIL, "Administrator")
        services.grant_role(person, Role.ADMIN, None)
        services.set_password(person, ADMIN_PASSWORD)


class Staff:
    """The administrator: logs in once, then opens the campaign list and the campaign."""

    def __init__(self, base: str):
        self.base, self.session = base, flow.new_session()
        page = self.session.get(base + "/logg-inn", timeout=60)
        token = FORM_CSRF_RE.search(page.text).group(1)
        answer = self.session.post(
            base + "/logg-inn",
            data={"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            timeout=60,
        )
        if answer.status_code != 200 or "/logg-inn" in answer.url:
            raise RuntimeError(f"administrator log-in failed: {answer.status_code} {answer.url}")
        listing = self.session.get(base + "/kampanjer/", timeout=60)
        found = re.search(r'href="(/kampanjer/\d+)"', listing.text)
        if found is None:
            raise RuntimeError("no campaign on the campaign list")
        self.campaign = found.group(1)

    def visit(self) -> int:
        for path in ("/kampanjer/", self.campaign):
            response = self.session.get(self.base + path, timeout=60)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
        return 2


def load(base: str, tokens: list[str], total: int, clients: int) -> tuple[int, list[str]]:
    """`clients` threads, each: a respondent, then the staff pages, … until `total` requests."""
    sent, errors, lock = [0], [], threading.Lock()
    pool = flow.Tokens(tokens)

    def client(index: int) -> None:
        staff = Staff(base)
        with lock:
            sent[0] += 3  # the log-in page, the log-in, the campaign list
        n = 0
        while True:
            with lock:
                if sent[0] >= total:
                    return
            stats = flow.Stats()
            token = pool.take()
            if token is None:
                errors.append("no personal link left")
                return
            respondent = flow.Respondent(base, stats)
            try:
                respondent.run(flow.plan_for(f"m{index}-{n}", n), token)
                count = stats.requests + staff.visit()
            except Exception as error:  # noqa: BLE001 - reported, the count goes on
                errors.append(f"{type(error).__name__}: {error}"[:300])
                count = stats.requests
            finally:
                respondent.session.close()
            with lock:
                sent[0] += count
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent[0], errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql or a URL")
    parser.add_argument("--requests", type=int, default=1000, help="requests in all (1 000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--app-root", type=Path, default=flow.ROOT, help="checkout to serve")
    args = parser.parse_args(argv)
    (server_url,) = flow.database_servers(args.database)
    sys.path.insert(0, str(flow.ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="worker-memory-"))
    databases = flow.Databases(server_url, tmp)
    server = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": databases.survey,
            "BASELINE_DATABASE_URL": databases.baseline,
            "SECRET_KEY": "worker-memory-benchmark-not-a-secret",
            "BASE_URL": "http://127.0.0.1",
        }
        env.pop("FLASK_APP", None)
        tokens = flow.set_up(databases, env, args.requests // 19 + 10)
        add_administrator(databases.survey)
        server = flow.Gunicorn(
            "survey",
            "wsgi:app",
            env,
            1,
            4,
            tmp / "survey.log",
            cwd=args.app_root,
        )
        server.start(f"/i/{tokens[0]}")
        (worker,) = flow.children_of(server.proc.pid)
        started = status(worker)
        first, _ = load(server.base, tokens[:1], 4, 1)  # log-in, a respondent, staff pages
        after_first = status(worker)
        began = time.perf_counter()
        sent, errors = load(server.base, tokens[1:], args.requests - first, args.clients)
        elapsed = time.perf_counter() - began
        end = status(worker)
        print(
            f"One gunicorn worker (-k gthread --threads 4), {databases.kind}, app from "
            f"{args.app_root}; load average {flow.load_average():.2f}"
        )
        print(f"  after start-up:                    VmRSS {started['VmRSS']:6.1f} MiB")
        print(f"  after one questionnaire + staff:   VmRSS {after_first['VmRSS']:6.1f} MiB")
        print(
            f"  after {first + sent} requests ({elapsed:.0f} s):     VmRSS {end['VmRSS']:6.1f} MiB"
            f" (peak VmHWM {end['VmHWM']:.1f} MiB)"
        )
        if errors:
            print(f"  {len(errors)} errors: " + "; ".join(errors[:3]))
        if server.has_traceback():
            print(server.log_tail(30))
        return 1 if errors else 0
    finally:
        if server is not None:
            server.stop()
        databases.drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
