"""Prepare and send a campaign's invitations: 10 000 by default, to a local SMTP server.

    .venv/bin/python benchmarks/outbox.py                          # SQLite, 10 000, 6 000/min
    .venv/bin/python benchmarks/outbox.py --rate 0                 # no limit: the sender's pace
    .venv/bin/python benchmarks/outbox.py --people 2000 --rate 600 --send 200
    .venv/bin/python benchmarks/outbox.py --database postgresql://postgres@127.0.0.1/postgres

1. A roster of `--people` employees with an e-mail address each, in 40 units, and an
   identified heltid-arlig campaign (not timed).
2. **Preparing**, timed: `invite_roster` (one personal invitation per person, pre-filled from
   the roster) and `queue_invitations` (one e-mail each in the outbox), committed. Target:
   at most 5 s for 10 000.
3. **Sending**: `survey outbox send` as its own process (configured through the environment,
   as cron runs it) to an aiosmtpd server in a third process, at `MAIL_RATE_PER_MINUTE` =
   `--rate`. Every few seconds the script prints the messages received, the rate since the
   start and the sender's resident memory; at the end the rate achieved against the limit,
   the sender's peak memory, and checks that every message arrived exactly once.

Builds everything in a temporary directory (and a temporary PostgreSQL database with
`--database`), removed at the end. It only contacts 127.0.0.1. Exits with 1 when a message
is missing or duplicated; the targets are reported, never enforced."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 40
SECRET_KEY = "benchmark-secret-key"


def _load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database(url: str | None, workdir: Path):
    if url is None:
        return f"sqlite:///{workdir / 'outbox.sqlite3'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from survey.config import normalise_database_url

    admin = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(normalise_database_url(url)).set(database=name).render_as_string(False), drop


# --- the SMTP server, in a process of its own ----------------------------------------------


def _smtp_server(port: int, received, duplicates, ready, stop) -> None:
    """Accept everything; count messages and Message-IDs seen twice (in shared values)."""
    from aiosmtpd.controller import Controller

    seen: set[bytes] = set()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            content = envelope.content
            start = content.find(b"Message-ID: ")
            key = content[start : content.find(b"\r\n", start)]
            with received.get_lock():
                received.value += 1
            if key in seen:
                with duplicates.get_lock():
                    duplicates.value += 1
            seen.add(key)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


# --- roster and campaign -------------------------------------------------------------------


def _roster(people: int) -> None:
    from decimal import Decimal

    from sqlalchemy import insert, select

    from survey.accounts.models import Person, Unit
    from survey.extensions import db
    from survey.roster.models import Ansettelsesform, Position

    db.session.execute(insert(Unit), [{"code": "kommune", "name": "Kommunen", "parent_id": None}])
    top = db.session.scalar(select(Unit.id).where(Unit.code == "kommune"))
    db.session.execute(
        insert(Unit),
        [
            {"code": f"enhet{i:02d}", "name": f"Enhet {i:02d}", "parent_id": top}
            for i in range(UNITS)
        ],
    )
    units = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == top)))
    db.session.execute(
        insert(Person),
        [
            {
                "name": f"Ansatt {i}",
                "ansattnummer": f"A{i:06d}",
                "email": f"ansatt{i}@example.no",
                "unit_id": units[i % UNITS],
            }
            for i in range(people)
        ],
    )
    ids = dict(db.session.execute(select(Person.ansattnummer, Person.id)).all())
    sizes = (Decimal(50), Decimal(75), Decimal(80), Decimal(100))
    db.session.execute(
        insert(Position),
        [
            {
                "person_id": ids[f"A{i:06d}"],
                "unit_id": units[i % UNITS],
                "yrkesgruppe": ("helsefagarbeider", "sykepleier", "assistent")[i % 3],
                "stillingsprosent": sizes[i % len(sizes)],
                "ansettelsesform": Ansettelsesform.FAST,
            }
            for i in range(people)
        ],
    )


def _prepare(people: int) -> tuple[float, float, int]:
    """Roster, campaign; then the timed part. Returns (seconds, CPU seconds, messages queued);
    on SQLite every step runs in this process, so the CPU time is the whole cost, which
    other processes on a shared machine hardly change."""
    import datetime as dt

    from sqlalchemy import func, select

    from survey.campaigns.inviting import RosterSelection, invite_roster
    from survey.campaigns.messaging import queue_invitations
    from survey.campaigns.services import create_campaign
    from survey.db import unit_of_work
    from survey.extensions import db
    from survey.outbox.models import OutboxMessage

    with unit_of_work():
        _roster(people)
        today = dt.date.today()
        campaign = create_campaign(
            "heltid-arlig",
            "identified",
            "Heltid 2026",
            opens_on=today,
            closes_on=today + dt.timedelta(days=21),
            reminder_days=[7, 3],
        )
    started, cpu = time.perf_counter(), time.process_time()
    with unit_of_work():
        result = invite_roster(campaign, RosterSelection())
        queue_invitations(campaign, result.invitations)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with unit_of_work():
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return seconds, cpu, queued


# --- the sender ----------------------------------------------------------------------------


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _send(database: str, port: int, rate: int, count: int, every: float, received) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": SECRET_KEY,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "MAIL_FROM": "Heltid <heltid@kommune.example>",
        "MAIL_RATE_PER_MINUTE": str(rate),
        "OUTBOX_BATCH": str(count),
        "LOG_LEVEL": "WARNING",
    }
    survey = str(Path(sys.executable).parent / "survey")
    started = time.perf_counter()
    process = subprocess.Popen(
        [survey, "outbox", "send"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    samples = []
    first_at = last_at = None
    first_count = last_count = 0
    first_cpu = last_cpu = None
    next_sample = 0.0
    peak = 0
    while process.poll() is None:
        time.sleep(0.05)
        now = time.perf_counter()
        done = received.value
        cpu = _cpu_seconds(process.pid)
        if done and first_at is None:
            # The process has started and connected: the sending phase begins.
            first_at, first_count = now, done
            first_cpu = cpu
            next_sample = now
        if done != last_count:
            last_at, last_count = now, done
            last_cpu = cpu
        peak = max(peak, _peak_kib(process.pid) or 0)
        if first_at is None or now < next_sample:
            continue
        next_sample = now + every
        rss = _rss_kib(process.pid)
        if rss is None:
            continue
        elapsed = now - first_at
        per_minute = (done - first_count) / elapsed * 60 if elapsed > 0 else 0
        samples.append((elapsed, done, rss))
        print(
            f"    {elapsed:6.1f} s  {done:6d} received  {per_minute:7.0f}/min  "
            f"sender RSS {rss / 1024:6.1f} MiB",
            flush=True,
        )
    output = process.stdout.read().decode()
    ended = time.perf_counter()
    return {
        "exit": process.returncode,
        "output": output.strip(),
        "wall": ended - started,
        "first_at": (first_at or ended) - started,
        "sending": (last_at or ended) - (first_at or ended),  # first to last message
        "first_count": first_count,
        "last_count": last_count,
        "cpu": None if first_cpu is None or last_cpu is None else last_cpu - first_cpu,
        "samples": samples,
        "peak_kib": peak,
    }


def run(url: str | None, people: int, rate: int, send: int | None, every: float) -> int:
    from survey import create_app

    with tempfile.TemporaryDirectory() as workdir:
        database, drop = _database(url, Path(workdir))
        try:
            app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": database,
                    "SECRET_KEY": SECRET_KEY,
                    "TESTING": True,
                    "LOG_LEVEL": "WARNING",
                }
            )
            with app.app_context():
                from survey.extensions import db
                from survey.migrate import upgrade
                from survey.questionnaires.services import sync_directory

                upgrade()
                sync_directory(app.config["QUESTIONNAIRE_DIR"])
                db.session.commit()
                seconds, cpu, queued = _prepare(people)
                db.session.remove()
                db.engine.dispose()
            kind = database.split(":")[0]
            print(f"\n{people} people on the roster, {UNITS} units ({kind}); {_load()}")
            print(
                f"  preparing: invite_roster + queue_invitations, {queued} e-mails queued: "
                f"{seconds:.2f} s, CPU {cpu:.2f} s (target <= 5 s)"
            )
            return _sending(database, min(send or queued, queued), rate, every)
        finally:
            drop()


def _sending(database: str, count: int, rate: int, every: float) -> int:
    port = _free_port()
    received = multiprocessing.Value("i", 0)
    duplicates = multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.Process(
        target=_smtp_server, args=(port, received, duplicates, ready, stop), daemon=True
    )
    server.start()
    try:
        ready.wait(30)
        limit = f"{rate}/min" if rate else "no limit"
        print(f"  sending {count} at MAIL_RATE_PER_MINUTE = {limit} (survey outbox send):")
        result = _send(database, port, rate, count, every, received)
        time.sleep(0.5)  # the last replies
        got, twice = received.value, duplicates.value
    finally:
        stop.set()
        server.join(10)
    sent = got - result["first_count"]
    achieved = sent / result["sending"] * 60 if result["sending"] > 0 else 0
    print(f"  sender: {result['output']} (exit {result['exit']})")
    print(
        f"  start-up {result['first_at']:.1f} s, then {got} received, the first to the last in "
        f"{result['sending']:.1f} s: {achieved:.0f}/min achieved against {limit}"
    )
    if result["cpu"] and result["last_count"] > result["first_count"]:
        per_message = result["cpu"] / (result["last_count"] - result["first_count"])
        print(
            f"  sender CPU {per_message * 1000:.1f} ms a message (claim, build, SMTP, commit): "
            f"a ceiling of about {60 / per_message:.0f}/min where its CPU is the limit"
        )
    rss = [sample[2] for sample in result["samples"]]
    if rss:
        quarter = max(1, len(rss) // 4)
        print(
            f"  sender RSS: first quarter max {max(rss[:quarter]) / 1024:.1f} MiB, last quarter "
            f"max {max(rss[-quarter:]) / 1024:.1f} MiB, peak (VmHWM) "
            f"{result['peak_kib'] / 1024:.1f} MiB"
        )
    print(f"  ({_load()})")
    if got != count or twice:
        print(f"  FAILED: {got} received of {count}, {twice} twice")
        return 1
    print(f"  every message received once ({count})")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: a SQLite file)")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=int, default=6000, help="MAIL_RATE_PER_MINUTE for the sender (0: none)"
    )
    parser.add_argument("--send", type=int, default=None, help="send only this many")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    args = parser.parse_args()
    sys.exit(run(args.database, args.people, args.rate, args.send, args.every))


if __name__ == "__main__":
    main()
