"""Benchmark of the answering flow against a bare Flask + SQLAlchemy baseline, side by side.

    .venv/bin/python benchmarks/answer_flow.py                       # SQLite, ~3,5 minutes
    .venv/bin/python benchmarks/answer_flow.py --database postgresql # a temporary database
    .venv/bin/python benchmarks/answer_flow.py --database postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/answer_flow.py --database both       # SQLite, then PostgreSQL

What it does (details in benchmarks/README.md), for each database:

(a) walks `heltid-arlig` once and reports, for every page of the flow, the HTML and the CSS and
    JS it references, each gzipped at level 9, and the heaviest page (target ≤ 30 KB).
(b) starts the survey app (wsgi:app) and benchmarks/baseline_app.py under the same gunicorn
    settings, both at once, kept running, and loads them in turn, in short windows: ABBA…
    (survey, baseline, baseline, survey, …), so that whatever else the machine does falls on
    both alike. The clients run in a process of their own (threads, one requests.Session per
    respondent), started before the servers; this process only hands out the windows and reads
    CPU times from /proc. A survey respondent opens a personal link of a confidential campaign
    (`survey campaign invite --count`), starts, answers every page along the
    part-time-wants-more branch, and sends. A submit is a POST answered by a redirect plus its
    redirected GET. Two kinds of window:
    - saturation: N clients, no think time (throughput, and p95 at saturation);
    - respondents: each pause before a submit is --think seconds ±50 % (p95 at their load).
    Targets: survey submits/s ≥ 50 % of the baseline's, server CPU per submit ≤ 2× the
    baseline's, p95 at saturation ≤ 2× the baseline's, p95 at the respondents' load ≤ 150 ms.
(c) checks in both databases that no answer was lost or duplicated. Exits 1 when a check
    fails; performance targets are only reported.

Only 127.0.0.1 is contacted. Temporary files and databases are removed and the servers stopped
at the end, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import logging
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
QUESTIONNAIRE = "heltid-arlig"
DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/postgres"

PAGE_BYTES_TARGET = 30 * 1024  # bytes, gzipped, HTML + CSS + JS
THROUGHPUT_TARGET = 0.50  # survey submits/s, share of the baseline's
CPU_RATIO_TARGET = 2.0  # survey server CPU per submit, times the baseline's
P95_RATIO_TARGET = 2.0  # survey p95 at saturation, times the baseline's
P95_TARGET_MS = 150.0  # survey p95 at the respondents' load

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME_RE = re.compile(r'class="question[^"]*" id="q-[^"]+" data-name="([^"]+)"')
ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')
LINK_RE = re.compile(r"/i/([A-Za-z0-9_-]+)")


# --- The answers ----------------------------------------------------------------------------

ENHETER = ["hjemmetjenesten", "omsorgssenter_a", "psykisk_helse_og_rus", "integrerte_tjenester"]
YRKER = ["sykepleier", "helsefagarbeider", "vernepleier", "spesialsykepleier"]
STILLING = [("62,5", 62.5), ("50", 50.0), ("75", 75.0), ("40", 40.0)]
ONSKET = [("80", 80.0), ("90", 90.0), ("100", 100.0)]
VAKTER = [["dag"], ["dag", "kveld"], ["kveld", "natt"], ["dag", "kveld", "natt"]]
ARSAKER = [["ikke_tilbudt"], ["helgearbeid", "ikke_tilbudt"], ["omsorg", "for_toft"]]


@dataclass
class Plan:
    """One respondent's answers: what each page posts, where it leads, and what must be stored."""

    run_id: str
    pages: list[tuple[str, dict, str]]  # (page, form values, path the submit should end on)
    expected: dict


def plan_for(run_id: str, n: int) -> Plan:
    """The part-time, wants-a-larger-position branch: every page, every condition page."""
    stilling_text, stilling = STILLING[n % len(STILLING)]
    onsket_text, onsket = ONSKET[n % len(ONSKET)]
    helger = 17 + n % 36
    uker = n % 53
    vakter = VAKTER[n % len(VAKTER)]
    arsaker = ARSAKER[n % len(ARSAKER)]
    kommentar = f"Benchmark {run_id}: ønsker større stilling, gjerne på Ås."
    pages = [
        (
            "stilling",
            {
                "enhet": ENHETER[n % len(ENHETER)],
                "yrkesgruppe": YRKER[n % len(YRKER)],
                "stillingsprosent": stilling_text,
                "ansettelsesform": "fast" if n % 2 else "midlertidig",
            },
            "onske",
        ),
        # onsket_prosent is revealed on the same page by onsket_endring; every name is in
        # `shown`, so the page is accepted at once, as after the script revealed it.
        (
            "onske",
            {
                "fornoyd_storrelse": "no",
                "onsket_endring": "storre",
                "onsket_prosent": onsket_text,
                "onsket_fast": "yes" if n % 3 else "no",
            },
            "helger",
        ),
        (
            "helger",
            {
                "villig_helger": "oftere",
                "helger_per_ar": str(helger),
                "villig_langvakter": "yes",
                "langvakt_hyppighet": "hver_4" if n % 2 else "hver_6",
            },
            "andre_ordninger",
        ),
        (
            "andre_ordninger",
            {
                "villig_andre_enheter": "bemanningspool",
                "andre_vakter": vakter,
                "ubundet_tid": "yes" if n % 2 else "no",
            },
            "oppstart",
        ),
        (
            "oppstart",
            {
                "oppstart_uker": str(uker),
                "onske_skriftlig": "no",
                "forsokt_flere_timer": "yes",
            },
            "arsaker",
        ),
        ("arsaker", {"arsaker_deltid": arsaker}, "avslutning"),
        ("avslutning", {"kommentar": kommentar}, "oppsummering"),
    ]
    expected = {}
    for _, values, _ in pages:
        expected.update(values)
    expected.update(
        stillingsprosent=stilling, onsket_prosent=onsket, helger_per_ar=helger, oppstart_uker=uker
    )
    return Plan(run_id, pages, expected)


# --- Servers and CPU time -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all processes on this machine have used (from /proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return found


def load_average() -> float:
    return os.getloadavg()[0]


class Gunicorn:
    """One gunicorn master we started, in its own process group."""

    def __init__(self, name, app, env, workers, threads, log: Path, extra=None, cwd=ROOT):
        self.name, self.port, self.log, self.cwd = name, free_port(), log, cwd
        self.argv = [
            str(BIN / "gunicorn"),
            *("-w", str(workers), "-k", "gthread", "--threads", str(threads)),
            *("-b", f"{HOST}:{self.port}", "--log-level", "warning", "--graceful-timeout", "5"),
            *(extra or []),
            app,
        ]
        self.env = env
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_path: str) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,  # gunicorn puts it first on sys.path: the app is imported from it
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited\n{self.log_tail()}")
            try:
                if requests.get(self.base + ready_path, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: gunicorn did not answer in 60 s\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        if self.proc is None:
            return 0.0
        pids = [self.proc.pid, *children_of(self.proc.pid)]
        return sum(proc_cpu_seconds(pid) for pid in pids)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def has_traceback(self) -> bool:
        return self.log.exists() and "Traceback" in self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own session: master and workers
            self.proc.wait(timeout=5)


# --- Clients (they run in a process of their own: see ClientProcess) -------------------------


class FlowError(Exception):
    pass


class Stop(Exception):
    pass


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: list[str] = field(default_factory=list)  # run ids with a draft in the database
    completed: list[Plan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    sent: list[str] = field(default_factory=list)  # baseline: values whose POST was answered

    def merge(self, other: Stats) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        self.started += other.started
        self.completed += other.completed
        self.errors += other.errors
        self.requests += other.requests
        self.sent += other.sent


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": "answer-flow-benchmark",
            "Accept-Language": "nb-NO,nb;q=0.9,no;q=0.8",
            "Accept-Encoding": "gzip",
        }
    )
    return session


class Think:
    """A respondent's think time: uniform in [½·mean, 1½·mean], from a generator seeded per client.

    Each client has its own generator (seed, window and client number), so the pauses do not
    depend on how the threads are scheduled and two runs with the same seed are comparable.
    """

    def __init__(self, mean: float, seed: int, index: int):
        self.mean = mean
        self.rng = random.Random(seed * 1_000_003 + index)

    def pause(self) -> float:
        return self.rng.uniform(0.5 * self.mean, 1.5 * self.mean)

    def offset(self) -> float:
        """When this client starts, so the clients' clocks are spread over one think time."""
        return self.rng.uniform(0.0, 1.5 * self.mean)


def think_between(think: Think | None, stop: threading.Event, session: requests.Session) -> None:
    """Wait one think time (not timed). Raises Stop when the window ends meanwhile."""
    if think is None or think.mean <= 0:
        return
    pause = think.pause()
    if stop.wait(pause):
        raise Stop
    if pause >= 1.0:
        # gunicorn closes idle keep-alive connections after 2 s; a browser would open a new one
        # rather than fail on a reset, so do not reuse the pooled connection.
        session.close()


class Respondent:
    """Answers the questionnaire from a personal link, like a phone browser without JavaScript.

    A *submit* is a POST answered by a redirect plus the GET it redirects to: the start button,
    every questionnaire page and the send button. Each is timed under its own kind and under
    "submit" (all of them). The welcome GET of the personal link is timed but is not a submit.
    `steps` sends one request at a time, so a respondent can stop at the end of one window of
    load and go on in the next, as people do; its timings go to `self.stats`, which the client
    points at the current window's.
    """

    def __init__(self, base, stats: Stats, keep_pages=None):
        self.base, self.stats = base, stats
        self.keep_pages = keep_pages  # page name -> final response, for the weight check
        self.session = new_session()
        self.last: requests.Response | None = None

    def _expect(self, response: requests.Response, path_end: str, what: str) -> None:
        path = urlsplit(response.url).path
        if response.status_code != 200 or not path.endswith(path_end):
            raise FlowError(
                f"{what}: got {response.status_code} at {path}, expected 200 at …{path_end}: "
                + re.sub(r"\s+", " ", response.text[:300])
            )

    def _get(self, path: str, kind: str, path_end: str) -> None:
        began = time.perf_counter()
        response = self.session.get(self.base + path, timeout=60)
        self.stats.latencies[kind].append(time.perf_counter() - began)
        self.stats.requests += 1
        self._expect(response, path_end, kind)
        self.last = response

    def _submit(self, url: str, data: dict, kind: str, path_end: str) -> None:
        """One submit: the POST and the GET it redirects to."""
        began = time.perf_counter()
        response = self.session.post(url, data=data, timeout=60, allow_redirects=True)
        took = time.perf_counter() - began
        self.stats.latencies[kind].append(took)
        self.stats.latencies["submit"].append(took)
        self.stats.requests += 1 + len(response.history)
        if [r.status_code for r in response.history] != [302]:
            raise FlowError(
                f"{kind}: expected one 302, got {[r.status_code for r in response.history]}"
                f" then {response.status_code}: {response.text[:300]}"
            )
        self._expect(response, path_end, kind)
        self.last = response

    def _csrf(self) -> str:
        match = CSRF_RE.search(self.last.text)
        if not match:
            raise FlowError(f"no CSRF token at {self.last.url}")
        return match.group(1)

    def _keep(self, name: str) -> None:
        if self.keep_pages is not None:
            self.keep_pages[name] = self.last

    def steps(self, plan: Plan, token: str):
        """Yields the kind of the next request, then (when resumed) sends it."""
        yield "welcome GET"
        self._get(f"/i/{token}", "welcome GET", f"/i/{token}")
        self._keep("welcome")
        yield "start submit"
        self._submit(
            f"{self.base}/i/{token}", {"csrf_token": self._csrf()}, "start submit", "/side/stilling"
        )
        self.stats.started.append(plan.run_id)
        slug = urlsplit(self.last.url).path.split("/")[2]  # /s/<slug>/side/stilling
        self._keep("stilling")
        for name, values, following in plan.pages:
            names = NAME_RE.findall(self.last.text)
            if not names:
                raise FlowError(f"no questions on {self.last.url}")
            data = {
                "csrf_token": self._csrf(),
                "action": "next",
                "shown": " ".join(names),
                **values,
            }
            end = "/oppsummering" if following == "oppsummering" else f"/side/{following}"
            yield "page submit"
            self._submit(self.last.url, data, "page submit", end)
            self.stats.latencies[f"page submit: {name}"].append(
                self.stats.latencies["page submit"][-1]
            )
            self._keep(following)
        yield "send submit"
        self._submit(
            f"{self.base}/s/{slug}/send", {"csrf_token": self._csrf()}, "send submit", "/kvittering"
        )
        self._keep("kvittering")
        self.stats.completed.append(plan)

    def run(self, plan: Plan, token: str) -> None:
        """The whole questionnaire at once."""
        for _kind in self.steps(plan, token):
            pass


class Tokens:
    """The personal links not handed out yet; each respondent takes the next one."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.lock = list(reversed(tokens)), threading.Lock()

    def take(self) -> str | None:
        with self.lock:
            return self.tokens.pop() if self.tokens else None


@dataclass
class Client:
    """What one client keeps from one window to the next within a phase: its think-time
    generator, its respondent part-way through the questionnaire, and how many it began."""

    think: Think | None
    begun: int = 0
    respondent: Respondent | None = None
    steps: object = None  # the respondent's `steps` generator
    pending: str = ""  # the kind of request it sends next
    run_id: str = ""


def respondent_loop(job: Job, client: Client, index: int, stats: Stats, stop, tokens: Tokens):
    """One survey client in one window: goes on with its respondent (or begins a new one, with
    the next personal link) until the window ends; run ids `{phase}{index}-r{n}`."""
    think = client.think
    if client.begun == 0 and think is not None and stop.wait(think.offset()):
        return  # the phase's first window: the clients' clocks are spread over one think time
    while not stop.is_set():
        if client.respondent is None:
            token = tokens.take()
            if token is None:
                stats.errors.append(f"client {index}: no personal link left (raise --invitations)")
                return
            client.run_id = f"{job.phase}{index}-r{client.begun}"
            client.respondent = Respondent(job.base, stats)
            client.steps = client.respondent.steps(
                plan_for(client.run_id, index * 1000 + client.begun), token
            )
            client.pending = next(client.steps)
            client.begun += 1
        client.respondent.stats = stats  # this window's
        try:
            if client.pending.endswith("submit"):
                think_between(think, stop, client.respondent.session)  # reading, answering
            client.pending = next(client.steps)
        except Stop:
            return  # the window ended while it was thinking: it sends in the next one
        except StopIteration:
            client.respondent.session.close()
            client.respondent = None
        except (FlowError, requests.RequestException) as error:
            stats.errors.append(f"{client.run_id}: {error}")
            client.respondent.session.close()
            client.respondent = None
            time.sleep(0.05)


def baseline_loop(job: Job, client: Client, index: int, stats: Stats, stop, tokens) -> None:
    """One baseline client in one window: POST (+ redirected GET), think, POST, …"""
    think = client.think
    session = new_session()
    if client.begun == 0 and think is not None and stop.wait(think.offset()):
        return
    try:
        while not stop.is_set():
            if client.begun:
                try:
                    think_between(think, stop, session)
                except Stop:
                    break
            value = f"{job.phase}{index}-{client.begun}"
            client.begun += 1
            began = time.perf_counter()
            try:
                response = session.post(job.base + "/items", data={"value": value}, timeout=60)
            except requests.RequestException as error:
                stats.errors.append(f"{value}: {error}")
                continue
            stats.latencies["submit"].append(time.perf_counter() - began)
            stats.requests += 1 + len(response.history)
            if [r.status_code for r in response.history] == [302]:
                stats.sent.append(value)  # the POST was answered with its redirect: a row exists
            if response.status_code != 200 or not response.history:
                stats.errors.append(f"{value}: {response.status_code} {response.text[:200]}")
    finally:
        session.close()


@dataclass
class Job:
    """One window of load, as the controlling process sends it to the client process."""

    app: str  # "survey" or "baseline"
    base: str
    clients: int
    think: float
    seed: int
    duration: float
    phase: str  # clients carry their state from window to window within a phase; run id prefix


@dataclass
class JobResult:
    stats: Stats
    elapsed: float
    client_cpu: float  # the client process, all its threads


def run_job(job: Job, tokens: Tokens, clients: dict) -> JobResult:
    stop = threading.Event()
    loop = respondent_loop if job.app == "survey" else baseline_loop
    per_client = [Stats() for _ in range(job.clients)]
    threads = []
    for i in range(job.clients):
        key = (job.app, job.phase, i)
        if key not in clients:
            clients[key] = Client(Think(job.think, job.seed, i) if job.think > 0 else None)
        threads.append(
            threading.Thread(
                target=loop, args=(job, clients[key], i, per_client[i], stop, tokens), daemon=True
            )
        )
    cpu0, began = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(job.duration)
    stop.set()
    for thread in threads:
        thread.join(70)
    elapsed = time.perf_counter() - began
    total = Stats()
    for stats in per_client:
        total.merge(stats)
    return JobResult(total, elapsed, time.process_time() - cpu0)


def client_main(connection) -> None:
    """The client process: a list of tokens starts afresh (a new database); a Job is run and
    answered with its JobResult; None ends it. Respondents still part-way through at the end
    stay drafts in the database (the checks count them as such)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the controlling process decides when to stop
    pool, clients = Tokens([]), {}
    while (message := connection.recv()) is not None:
        if isinstance(message, list):
            pool, clients = Tokens(message), {}
        else:
            connection.send(run_job(message, pool, clients))


class ClientProcess:
    """The load generator in a process of its own, so its CPU does not compete with this one's
    bookkeeping (nor, through the GIL, its threads with each other's timing in this process)."""

    def __init__(self):
        context = multiprocessing.get_context("fork")  # before this process starts any thread
        self.connection, child = context.Pipe()
        self.process = context.Process(target=client_main, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def begin(self, tokens: list[str]) -> None:
        """A new database: these personal links, clients without state."""
        self.connection.send(tokens)

    def run(self, job: Job, server: Gunicorn) -> Window:
        cpu0, machine0, load0 = server.cpu_seconds(), machine_busy_seconds(), load_average()
        self.connection.send(job)
        result: JobResult = self.connection.recv()
        server_cpu = server.cpu_seconds() - cpu0
        other = machine_busy_seconds() - machine0 - server_cpu - result.client_cpu
        return Window(
            job.app,
            result.stats,
            result.elapsed,
            result.client_cpu,
            server_cpu,
            max(0.0, other),
            max(load0, load_average()),
        )

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


@dataclass
class Window:
    app: str
    stats: Stats
    elapsed: float
    client_cpu: float
    server_cpu: float
    other_cpu: float  # other processes on the machine (this one included): noise
    load: float  # 1-minute load average, the higher of start and end


# --- Figures --------------------------------------------------------------------------------


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def page_weights(base: str, pages: dict[str, requests.Response]) -> tuple[list[dict], dict]:
    """Per page: HTML and the assets it references, raw and gzipped; plus facts about serving."""
    session = new_session()
    assets: dict[str, requests.Response] = {}
    rows = []
    for name, response in pages.items():
        urls = [u for u in ASSET_RE.findall(response.text) if not u.startswith(("http:", "https:"))]
        row = {
            "page": name,
            "html": len(response.content),
            "html_gz": gz(response.content),
            "css_gz": 0,
            "js_gz": 0,
            "html_encoding": response.headers.get("Content-Encoding"),
        }
        for url in urls:
            url = urljoin(response.url, url.replace("&amp;", "&"))
            if url not in assets:
                assets[url] = session.get(url, timeout=30)
            kind = "css_gz" if urlsplit(url).path.endswith(".css") else "js_gz"
            row[kind] += gz(assets[url].content)
        row["total_gz"] = row["html_gz"] + row["css_gz"] + row["js_gz"]
        rows.append(row)
    session.close()
    revalidate = {}
    for url, asset in assets.items():
        etag = asset.headers.get("ETag")
        again = requests.get(url, headers={"If-None-Match": etag} if etag else {}, timeout=30)
        revalidate[urlsplit(url).path] = again.status_code
    facts = {
        "compresses": any(r["html_encoding"] for r in rows)
        or any(a.headers.get("Content-Encoding") for a in assets.values()),
        "revalidate": revalidate,
        "assets": {
            urlsplit(u).path: (len(a.content), gz(a.content), a.headers.get("Cache-Control"))
            for u, a in assets.items()
        },
    }
    return rows, facts


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def figures(windows: list[Window]) -> dict:
    """Throughput, latency and CPU of one or more windows of one app, pooled."""
    stats = Stats()
    for window in windows:
        stats.merge(window.stats)
    elapsed = sum(w.elapsed for w in windows)
    server_cpu = sum(w.server_cpu for w in windows)
    submits = stats.latencies["submit"]
    return {
        "stats": stats,
        "elapsed": elapsed,
        "count": len(submits),
        "rate": len(submits) / elapsed if elapsed else float("nan"),
        "page_rate": len(stats.latencies.get("page submit", [])) / elapsed if elapsed else 0.0,
        "p50": percentile(submits, 50),
        "p95": percentile(submits, 95),
        "p99": percentile(submits, 99),
        "mean": sum(submits) / len(submits) if submits else float("nan"),
        "timed": len(submits) + len(stats.latencies.get("welcome GET", [])),
        "server_cpu": server_cpu / elapsed if elapsed else 0.0,
        "client_cpu": sum(w.client_cpu for w in windows) / elapsed if elapsed else 0.0,
        "other_cpu": sum(w.other_cpu for w in windows) / elapsed if elapsed else 0.0,
        # All the server's CPU in the windows (the survey's includes its welcome GETs, one per
        # 9 submits) over the submits: independent of what the client or others took.
        "cpu_per_submit": server_cpu / len(submits) if submits else float("nan"),
        "load": [w.load for w in windows],
    }


# --- Correctness ----------------------------------------------------------------------------


def check_survey_db(
    url: str, stats: Stats, phases: dict[str, Stats]
) -> list[tuple[str, bool, str]]:
    """`stats` covers every run against the survey; `phases` names parts of it for a line each."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            statuses = dict(
                connection.execute(
                    text("SELECT status, count(*) FROM response GROUP BY status")
                ).all()
            )
            rows = connection.execute(
                text(
                    "SELECT a.response_id, a.question, a.value FROM answer a "
                    "JOIN response r ON r.id = a.response_id WHERE r.status = 'submitted'"
                )
            ).all()
            used = connection.execute(
                text("SELECT count(*) FROM invitation WHERE used_on IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    sqlite = url.startswith("sqlite")
    submitted, drafts = statuses.get("submitted", 0), statuses.get("draft", 0)
    by_response: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for response_id, question, value in rows:
        # SQLite's JSON column hands back the JSON text (or a number: NUMERIC affinity);
        # PostgreSQL's JSONB comes back decoded.
        if sqlite and isinstance(value, str):
            value = json.loads(value)
        by_response[str(response_id)].append((question, value))

    completed = {plan.expected["kommentar"]: plan for plan in stats.completed}
    seen: dict[str, int] = defaultdict(int)
    bad_count, duplicated, mismatched, unknown = [], [], [], []
    per_response = len(plan_for("x", 0).expected)  # every run answers the same questions
    for response_id, answers in by_response.items():
        names = [q for q, _ in answers]
        if len(names) != len(set(names)):
            duplicated.append(response_id)
        if len(answers) != per_response:
            bad_count.append(f"{response_id}: {len(answers)} rows")
        stored = dict(answers)
        plan = completed.get(stored.get("kommentar"))
        if plan is None:
            unknown.append(response_id)
            continue
        seen[plan.run_id] += 1
        if stored != plan.expected:
            diff = {
                k: (stored.get(k), plan.expected.get(k))
                for k in set(stored) | set(plan.expected)
                if stored.get(k) != plan.expected.get(k)
            }
            mismatched.append(f"{plan.run_id}: {diff}")
    missing = [plan.run_id for plan in stats.completed if seen[plan.run_id] == 0]
    twice = [run for run, count in seen.items() if count > 1]
    no_answers = submitted - len(by_response)
    expected_rows = sum(len(p.expected) for p in stats.completed)

    def sample(items):
        return "; ".join(map(str, items[:3]))

    bad_runs = {m.split(":", 1)[0] for m in mismatched}
    per_phase = []
    for phase, phase_stats in phases.items():
        runs = [plan.run_id for plan in phase_stats.completed]
        lost = [r for r in runs if seen[r] == 0]
        doubled = [r for r in runs if seen[r] > 1]
        differ = [r for r in runs if r in bad_runs]
        per_phase.append(
            (
                f"{phase}: every completed run stored once, values as sent",
                not lost and not doubled and not differ,
                f"{len(runs)} runs completed, {len(phase_stats.started)} started; missing "
                f"{len(lost)}, twice {len(doubled)}, values differ {len(differ)}"
                f" {sample(lost + doubled + differ)}",
            )
        )

    return per_phase + [
        (
            "submitted responses == completed runs == personal links used",
            submitted == len(stats.completed) == used,
            f"{submitted} submitted, {len(stats.completed)} runs completed, {used} links used",
        ),
        (
            "responses == started runs (drafts == runs stopped mid-way)",
            submitted + drafts == len(stats.started)
            and drafts == len(stats.started) - len(stats.completed),
            f"{submitted + drafts} responses ({drafts} drafts), {len(stats.started)} runs started",
        ),
        (
            "every completed run stored exactly once",
            not missing and not twice and not unknown and no_answers == 0,
            f"missing {len(missing)}, twice {len(twice)}, unknown {len(unknown)}, without answers "
            f"{no_answers} {sample(missing + twice + unknown)}",
        ),
        (
            "answer rows per response == expected (no duplicates)",
            not bad_count and not duplicated and len(rows) == expected_rows,
            f"{len(rows)} rows, expected {expected_rows} ({per_response} per response)"
            f" {sample(bad_count + duplicated)}",
        ),
        (
            "stored values == values sent",
            not mismatched,
            f"{len(mismatched)} responses differ {sample(mismatched)}",
        ),
    ]


def check_baseline_db(url: str, phases: dict[str, list[str]]) -> list[tuple[str, bool, str]]:
    """`phases`: the values whose POST was answered with a redirect, per phase."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            values = list(connection.execute(text("SELECT value FROM item")).scalars())
    finally:
        engine.dispose()
    stored = Counter(values)
    checks = []
    for phase, sent in phases.items():
        lost = [v for v in sent if stored[v] == 0]
        doubled = [v for v in sent if stored[v] > 1]
        checks.append(
            (
                f"baseline {phase}: every answered POST stored once",
                not lost and not doubled,
                f"{len(sent)} POSTs answered; missing {len(lost)}, twice {len(doubled)}",
            )
        )
    every = [v for sent in phases.values() for v in sent]
    checks.append(
        (
            "baseline rows == POSTs answered (all phases)",
            len(values) == len(every) and stored == Counter(every),
            f"{len(values)} rows, {len(every)} POSTs answered, {len(stored)} distinct",
        )
    )
    return checks


# --- Set-up ---------------------------------------------------------------------------------


class Databases:
    """The survey's and the baseline's database: SQLite files in `tmp`, or two temporary
    databases on a PostgreSQL server, dropped at the end."""

    def __init__(self, server: str | None, tmp: Path):
        from survey.config import normalise_database_url

        self.kind = "PostgreSQL" if server else "SQLite"
        self.drops: list[str] = []
        if server is None:
            self.survey = f"sqlite:///{tmp / 'survey.sqlite3'}"
            self.baseline = f"sqlite:///{tmp / 'baseline.sqlite3'}"
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        self.admin = create_engine(normalise_database_url(server), isolation_level="AUTOCOMMIT")
        stem = f"bench_answer_{uuid.uuid4().hex[:8]}"
        urls = []
        for name in (stem, f"{stem}_baseline"):
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            self.drops.append(name)
            url = make_url(normalise_database_url(server)).set(database=name)
            urls.append(url.render_as_string(hide_password=False))
        self.survey, self.baseline = urls

    def drop(self) -> None:
        if not self.drops:
            return
        from sqlalchemy import text

        for name in self.drops:
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def run_command(argv: list[str], env: dict) -> str:
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def set_up(databases: Databases, env: dict, invitations: int) -> list[str]:
    """What an operator does (`survey db upgrade`, `survey questionnaires load`, `survey campaign
    create --mode confidential`, `survey campaign invite --count`), through the same functions
    in this process: one start-up of the app instead of one per command. Then the baseline's
    table. Returns the personal links' tokens."""
    from survey import create_app
    from survey.campaigns.services import create_campaign, create_invitations
    from survey.db import unit_of_work
    from survey.extensions import db
    from survey.migrate import upgrade
    from survey.questionnaires.services import sync_directory

    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.survey, "SECRET_KEY": env["SECRET_KEY"]})
    logging.getLogger("survey").setLevel(logging.WARNING)  # not a line per step here
    with app.app_context():
        upgrade()
        sync_directory(app.config["QUESTIONNAIRE_DIR"])  # its own unit of work
        with unit_of_work():
            campaign = create_campaign(QUESTIONNAIRE, "confidential", "Benchmark")
            tokens = create_invitations(campaign, invitations)
        db.session.remove()
        db.engine.dispose()
    run_command([sys.executable, str(ROOT / "benchmarks" / "baseline_app.py"), "init"], env)
    return tokens


# --- One database ---------------------------------------------------------------------------


@dataclass
class Phase:
    """The windows of one kind (saturation or respondents), both apps, in the order run."""

    name: str
    warmup: list[Window] = field(default_factory=list)  # not in the figures; in the checks
    survey: list[Window] = field(default_factory=list)
    baseline: list[Window] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # "AB" or "BA" per round


def run_phase(name, clients: ClientProcess, survey, baseline, args, *, think, window, rounds):
    """A warm-up window per app (not counted: the clients begin all at once), then `rounds`
    rounds of one survey window and one baseline window, ABBA…: the order flips every round,
    so a trend in the machine's load falls on both apps alike. The clients keep their state
    from one window of their app to the next: a respondent goes on where it stopped."""
    phase = Phase(name)
    warmup = args.warmup + 2 * think

    def run(app: str, seconds: float, label: str) -> Window:
        server = survey if app == "survey" else baseline
        job = Job(app, server.base, args.clients, think, args.seed, seconds, phase=name[0])
        result = clients.run(job, server)
        submits = result.stats.latencies["submit"]
        print(
            f"  {name} {label}, {app:<8}: {len(submits) / result.elapsed:6.1f} submits/s, "
            f"p95 {percentile(submits, 95) * 1000:6.0f} ms, {len(result.stats.errors)} errors; "
            f"load average {result.load:.2f}",
            flush=True,
        )
        return result

    for app in ("survey", "baseline"):
        phase.warmup.append(run(app, warmup, "warm-up"))
    for number in range(rounds):
        order = ("survey", "baseline") if number % 2 == 0 else ("baseline", "survey")
        phase.order.append("AB" if number % 2 == 0 else "BA")
        for app in order:
            result = run(app, window, f"round {number + 1}/{rounds}")
            (phase.survey if app == "survey" else phase.baseline).append(result)
    return phase


def benchmark(args, server_url, tmp: Path, servers: list[Gunicorn], clients: ClientProcess) -> dict:
    """Everything for one database; returns what the final summary needs."""
    databases = Databases(server_url, tmp)
    try:
        env = {
            **os.environ,
            "DATABASE_URL": databases.survey,
            "BASELINE_DATABASE_URL": databases.baseline,
            "SECRET_KEY": "answer-flow-benchmark-not-a-secret",
            "BASE_URL": "http://127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("FLASK_APP", None)
        print(
            f"\n=== {databases.kind}: setting up (load average {load_average():.2f}) …", flush=True
        )
        began = time.perf_counter()
        tokens = set_up(databases, env, args.invitations)
        weight_token, tokens = tokens[0], tokens[1:]
        clients.begin(tokens)
        survey = Gunicorn("survey", "wsgi:app", env, args.workers, args.threads, tmp / "survey.log")
        baseline = Gunicorn(
            "baseline",
            "baseline_app:app",
            env,
            args.workers,
            args.threads,
            tmp / "baseline.log",
            extra=["--pythonpath", str(ROOT / "benchmarks")],
        )
        servers += [survey, baseline]
        survey.start(f"/i/{weight_token}")
        baseline.start("/items/0")
        print(f"  set up in {time.perf_counter() - began:.0f} s: {len(tokens) + 1} personal links")

        # (a) One respondent walks the flow; keep every page it sees. Counts in (c).
        prep = Stats()
        pages: dict[str, requests.Response] = {}
        walker = Respondent(survey.base, prep, keep_pages=pages)
        walker.run(plan_for("weight", 0), weight_token)
        walker.session.close()
        weights, facts = page_weights(survey.base, pages)

        saturation = run_phase(
            "saturation",
            clients,
            survey,
            baseline,
            args,
            think=0.0,
            window=args.window,
            rounds=args.rounds,
        )
        respondents = None
        if args.respondent_rounds > 0:
            respondents = run_phase(
                "respondents",
                clients,
                survey,
                baseline,
                args,
                think=args.think,
                window=args.respondent_window,
                rounds=args.respondent_rounds,
            )
        for server in (survey, baseline):
            server.stop()

        # (c) Correctness, once the servers have stopped: every window's rows, warm-ups too.
        phases = {"weight walk": prep}
        base_phases = {}
        for phase in (saturation, respondents):
            if phase is not None:
                warm_survey, warm_baseline = phase.warmup
                phases[phase.name] = figures([warm_survey, *phase.survey])["stats"]
                base_phases[phase.name] = figures([warm_baseline, *phase.baseline])["stats"]
        total = Stats()
        for stats in phases.values():
            total.merge(stats)
        checks = check_survey_db(databases.survey, total, phases)
        checks.append(no_errors("survey", phases))
        checks += check_baseline_db(
            databases.baseline, {name: stats.sent for name, stats in base_phases.items()}
        )
        checks.append(no_errors("baseline", base_phases))
        summary = report(args, databases.kind, weights, facts, saturation, respondents, checks)
        for server in (survey, baseline):
            if server.has_traceback():
                print(f"\n{server.name} log tracebacks:\n" + server.log_tail(40))
        return summary
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001 - keep cleaning up
                print(f"could not stop {server.name}: {error}", file=sys.stderr)
        servers.clear()
        databases.drop()


def no_errors(app: str, phases: dict[str, Stats]) -> tuple[str, bool, str]:
    errors = [e for stats in phases.values() for e in stats.errors]
    return (
        f"no HTTP errors or unexpected redirects ({app})",
        not errors,
        f"{len(errors)} errors ("
        + ", ".join(f"{name} {len(stats.errors)}" for name, stats in phases.items())
        + ") "
        + "; ".join(errors[:3]),
    )


# --- Report ---------------------------------------------------------------------------------

SUBMIT_KINDS = ("start submit", "page submit", "send submit")
LINE = "-" * 78


def report(args, kind, weights, facts, saturation: Phase, respondents: Phase | None, checks):
    """The same tables for every database; returns the figures of the final summary."""
    cpus = os.cpu_count() or 1
    print(f"\n{LINE}\n{kind}: (a) bytes per page of {QUESTIONNAIRE} (gzip -9; HTML + CSS + JS)")
    print(
        f"    The app compresses responses itself: {'yes' if facts['compresses'] else 'no'} "
        "(sizes below are what a gzip-ing proxy would send)"
    )
    for path, (raw, packed, cache) in facts["assets"].items():
        print(
            f"    {path}: {raw} B raw, {packed} B gzipped; Cache-Control: {cache}; "
            f"conditional GET answers {facts['revalidate'].get(path)}"
        )
    print(
        f"    {'page':<18}{'HTML raw':>10}{'HTML gz':>10}{'CSS gz':>9}{'JS gz':>8}{'total gz':>10}"
    )
    for row in weights:
        print(
            f"    {row['page']:<18}{row['html']:>10}{row['html_gz']:>10}{row['css_gz']:>9}"
            f"{row['js_gz']:>8}{row['total_gz']:>10}"
        )
    heaviest = max(
        (r for r in weights if r["page"] not in ("welcome", "oppsummering", "kvittering")),
        key=lambda r: r["total_gz"],
    )
    print(f"    heaviest questionnaire page: {heaviest['page']} {heaviest['total_gz']} B")

    print(
        f"\n{LINE}\n{kind}: (b) survey (personal links, confidential) and baseline side by side: "
        f"gunicorn -k gthread -w {args.workers} --threads {args.threads}, {args.clients} clients "
        "in a process of their own. A submit = POST answered by a redirect + its redirected GET."
    )
    summary = {"kind": kind}
    for phase in (saturation, respondents):
        if phase is None:
            continue
        summary[phase.name] = phase_tables(phase, cpus, args.clients)
        summary[phase.name + " load"] = (
            min(w.load for w in phase.survey + phase.baseline),
            max(w.load for w in phase.survey + phase.baseline),
        )

    print(f"\n{LINE}\n{kind}: (c) correctness (every window, both apps)")
    for name, ok, detail in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    summary["correct"] = all(ok for _, ok, _ in checks)
    summary["heaviest"] = heaviest
    print_summary([summary], args)
    return summary


def phase_tables(phase: Phase, cpus: int, clients: int) -> dict:
    windows = phase.survey[0].elapsed if phase.survey else 0
    title = "no think time" if phase.name == "saturation" else "think time (±50 %)"
    print(
        f"\n  {phase.name.capitalize()} ({title}), {len(phase.survey)} rounds of ~{windows:.0f} s "
        "per app, per round:"
    )
    print(
        f"    {'round':<7}{'order':<6}{'survey /s':>10}{'p95 ms':>8}{'CPU ms':>8}"
        f"{'baseline /s':>12}{'p95 ms':>8}{'CPU ms':>8}{'share':>8}{'p95 ×':>7}{'CPU ×':>7}"
        f"{'load':>6}"
    )
    shares, p95s, cpus_ratio = [], [], []
    for number, (order, s, b) in enumerate(
        zip(phase.order, phase.survey, phase.baseline, strict=True), start=1
    ):
        fs, fb = figures([s]), figures([b])
        share, p95x, cpux = (
            fs["rate"] / fb["rate"],
            fs["p95"] / fb["p95"],
            fs["cpu_per_submit"] / fb["cpu_per_submit"],
        )
        shares.append(share)
        p95s.append(p95x)
        cpus_ratio.append(cpux)
        print(
            f"    {number:<7}{order:<6}{fs['rate']:>10.1f}{fs['p95'] * 1000:>8.0f}"
            f"{fs['cpu_per_submit'] * 1000:>8.1f}{fb['rate']:>12.1f}{fb['p95'] * 1000:>8.0f}"
            f"{fb['cpu_per_submit'] * 1000:>8.1f}{share * 100:>7.0f}%{p95x:>7.2f}{cpux:>7.2f}"
            f"{max(s.load, b.load):>6.2f}"
        )
    survey, baseline = figures(phase.survey), figures(phase.baseline)
    print(
        f"    {'all':<13}{survey['rate']:>10.1f}{survey['p95'] * 1000:>8.0f}"
        f"{survey['cpu_per_submit'] * 1000:>8.1f}{baseline['rate']:>12.1f}"
        f"{baseline['p95'] * 1000:>8.0f}{baseline['cpu_per_submit'] * 1000:>8.1f}"
        f"{survey['rate'] / baseline['rate'] * 100:>7.0f}%{survey['p95'] / baseline['p95']:>7.2f}"
        f"{survey['cpu_per_submit'] / baseline['cpu_per_submit']:>7.2f}"
    )
    print(
        f"    {'median':<13}{'':>26}{'':>28}{statistics.median(shares) * 100:>7.0f}%"
        f"{statistics.median(p95s):>7.2f}{statistics.median(cpus_ratio):>7.2f}"
    )
    print(
        "    (all = the rounds pooled; median = of the per-round ratios; CPU = server CPU per submit)"
    )

    stats = survey["stats"]
    print(f"    survey, by kind ({phase.name}, rounds pooled):")
    print(f"      {'request':<34}{'count':>7}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    kinds = [("welcome GET (load, not a submit)", "welcome GET")]
    kinds += [(k, k) for k in SUBMIT_KINDS] + [("all submits", "submit")]
    if phase.name == "saturation":
        kinds += [(k, k) for k in sorted(stats.latencies) if k.startswith("page submit: ")]
    for label, key in kinds:
        values = stats.latencies.get(key, [])
        print(
            f"      {label:<34}{len(values):>7}{len(values) / survey['elapsed']:>8.1f}"
            f"{ms(percentile(values, 50)):>8}{ms(percentile(values, 95)):>8}"
            f"{ms(percentile(values, 99)):>8}"
        )
    for app, fig in (("survey", survey), ("baseline", baseline)):
        st = fig["stats"]
        print(
            f"    {app}: {len(st.completed) if app == 'survey' else len(st.sent)} "
            f"{'questionnaires sent' if app == 'survey' else 'items stored'}, "
            f"{len(st.started) if app == 'survey' else len(st.sent)} begun, {len(st.errors)} "
            f"errors; p50/p95/p99 {fig['p50'] * 1000:.0f}/{fig['p95'] * 1000:.0f}/"
            f"{fig['p99'] * 1000:.0f} ms; CPU: server {fig['server_cpu'] * 100:.0f} %, clients "
            f"{fig['client_cpu'] * 100:.0f} %, other {fig['other_cpu'] * 100:.0f} % "
            f"(of {cpus * 100} %)"
        )
    if phase.name == "saturation":
        print(
            "    note: at saturation each client sends again as soon as it is answered, so mean "
            "latency ≈ clients ÷ timed requests per second (Little's law): "
            + "; ".join(
                f"{app} {clients} ÷ {fig['timed'] / fig['elapsed']:.0f}/s = "
                f"{clients / (fig['timed'] / fig['elapsed']) * 1000:.0f} ms, measured "
                f"{fig['mean'] * 1000:.0f} ms"
                for app, fig in (("survey", survey), ("baseline", baseline))
            )
        )
    return {
        "survey": {k: v for k, v in survey.items() if k != "stats"},
        "baseline": {k: v for k, v in baseline.items() if k != "stats"},
        "median share": statistics.median(shares),
        "median p95 ratio": statistics.median(p95s),
        "median cpu ratio": statistics.median(cpus_ratio),
    }


def print_summary(summaries: list[dict], args) -> None:
    """One column per database: the targets of issue 13."""
    print(f"\n{LINE}\nSummary (targets are reported, not asserted)")
    header = "".join(f"{s['kind']:>24}" for s in summaries)
    print(f"    {'figure':<46}{header}  {'target'}")

    def row(name, values, target=""):
        print(f"    {name:<46}" + "".join(f"{v:>24}" for v in values) + f"  {target}")

    def met(ok: bool) -> str:
        return "  yes" if ok else "   NO"

    def each(fn):
        return [fn(s) for s in summaries]

    row(
        "heaviest page, gz (HTML + CSS + JS)",
        each(
            lambda s: (
                f"{s['heaviest']['total_gz']} B"
                + met(s["heaviest"]["total_gz"] <= PAGE_BYTES_TARGET)
            )
        ),
        f"≤ {PAGE_BYTES_TARGET} B",
    )
    print(f"    saturation ({args.clients} clients, no think time)")
    row(
        "  submits/s, survey / baseline",
        each(
            lambda s: (
                f"{s['saturation']['survey']['rate']:.1f} / {s['saturation']['baseline']['rate']:.1f}"
            )
        ),
    )
    row(
        "  survey as share of baseline (pooled; median)",
        each(
            lambda s: (
                f"{s['saturation']['survey']['rate'] / s['saturation']['baseline']['rate'] * 100:.0f} %; "
                f"{s['saturation']['median share'] * 100:.0f} %"
                + met(
                    s["saturation"]["survey"]["rate"] / s["saturation"]["baseline"]["rate"]
                    >= THROUGHPUT_TARGET
                )
            )
        ),
        f"≥ {THROUGHPUT_TARGET * 100:.0f} %",
    )
    row(
        "  server CPU per submit, survey / baseline",
        each(
            lambda s: (
                f"{s['saturation']['survey']['cpu_per_submit'] * 1000:.1f} / {s['saturation']['baseline']['cpu_per_submit'] * 1000:.1f} ms"
            )
        ),
    )
    row(
        "  CPU per submit, survey ÷ baseline",
        each(
            lambda s: (
                f"{s['saturation']['survey']['cpu_per_submit'] / s['saturation']['baseline']['cpu_per_submit']:.2f}×; "
                f"{s['saturation']['median cpu ratio']:.2f}×"
                + met(
                    s["saturation"]["survey"]["cpu_per_submit"]
                    / s["saturation"]["baseline"]["cpu_per_submit"]
                    <= CPU_RATIO_TARGET
                )
            )
        ),
        f"≤ {CPU_RATIO_TARGET:g}×",
    )
    row(
        "  p95, survey / baseline",
        each(
            lambda s: (
                f"{s['saturation']['survey']['p95'] * 1000:.0f} / {s['saturation']['baseline']['p95'] * 1000:.0f} ms"
            )
        ),
    )
    row(
        "  p95, survey ÷ baseline (pooled; median)",
        each(
            lambda s: (
                f"{s['saturation']['survey']['p95'] / s['saturation']['baseline']['p95']:.2f}×; "
                f"{s['saturation']['median p95 ratio']:.2f}×"
                + met(
                    s["saturation"]["survey"]["p95"] / s["saturation"]["baseline"]["p95"]
                    <= P95_RATIO_TARGET
                )
            )
        ),
        f"≤ {P95_RATIO_TARGET:g}×",
    )
    row(
        "  load average (1 min) during the windows",
        each(lambda s: "{:.1f}–{:.1f}".format(*s["saturation load"])),
    )
    if all("respondents" in s for s in summaries):
        print(f"    respondents ({args.clients}, think {args.think:g} s ±50 %)")
        row(
            "  submits/s, survey / baseline",
            each(
                lambda s: (
                    f"{s['respondents']['survey']['rate']:.1f} / {s['respondents']['baseline']['rate']:.1f}"
                )
            ),
        )
        row(
            "  survey p50 / p95 / p99",
            each(
                lambda s: "{:.0f} / {:.0f} / {:.0f} ms".format(
                    *(s["respondents"]["survey"][p] * 1000 for p in ("p50", "p95", "p99"))
                )
            ),
        )
        row(
            "  survey p95",
            each(
                lambda s: (
                    f"{s['respondents']['survey']['p95'] * 1000:.0f} ms"
                    + met(s["respondents"]["survey"]["p95"] * 1000 <= P95_TARGET_MS)
                )
            ),
            f"≤ {P95_TARGET_MS:g} ms",
        )
        row(
            "  baseline p50 / p95 / p99",
            each(
                lambda s: "{:.0f} / {:.0f} / {:.0f} ms".format(
                    *(s["respondents"]["baseline"][p] * 1000 for p in ("p50", "p95", "p99"))
                )
            ),
        )
        row(
            "  server CPU per submit, survey / baseline",
            each(
                lambda s: (
                    f"{s['respondents']['survey']['cpu_per_submit'] * 1000:.1f} / {s['respondents']['baseline']['cpu_per_submit'] * 1000:.1f} ms"
                )
            ),
        )
        row(
            "  load average (1 min) during the windows",
            each(lambda s: "{:.1f}–{:.1f}".format(*s["respondents load"])),
        )
    row(
        "correctness checks (0 lost or duplicated)",
        each(lambda s: "PASS" if s["correct"] else "FAIL"),
        "must pass",
    )


# --- Main -----------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (default), postgresql (a temporary database on "
        f"{DEFAULT_POSTGRESQL}), a postgresql:// server URL, or both (SQLite, then PostgreSQL)",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument(
        "--rounds", type=int, default=4, help="saturation: rounds of one window per app (4)"
    )
    parser.add_argument(
        "--window", type=float, default=12.0, help="saturation: seconds per window (12)"
    )
    parser.add_argument(
        "--respondent-rounds",
        type=int,
        default=2,
        help="respondents: rounds of one window per app (2; 0 skips the phase)",
    )
    parser.add_argument(
        "--respondent-window", type=float, default=20.0, help="respondents: seconds per window (20)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="respondents: mean seconds on a page before sending it, ±50 %% uniform (3)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=4.0,
        help="seconds of load per app before each phase, not counted (4; respondents: + 2 think)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the think times (1)")
    parser.add_argument(
        "--workers", type=int, default=cpus, help=f"gunicorn workers (one per core: {cpus})"
    )
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (4)")
    parser.add_argument(
        "--invitations",
        type=int,
        default=4000,
        help="personal links created (4 000; a respondent uses one; more for long runs)",
    )
    args = parser.parse_args(argv)
    if min(args.window, args.respondent_window, args.think) < 0 or args.clients < 1:
        parser.error("durations and --think must not be negative, --clients at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def database_servers(choice: str) -> list[str | None]:
    """None stands for SQLite; otherwise a PostgreSQL server URL."""
    if choice == "sqlite":
        return [None]
    if choice == "postgresql":
        return [DEFAULT_POSTGRESQL]
    if choice == "both":
        return [None, DEFAULT_POSTGRESQL]
    if choice.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return [choice]
    raise SystemExit(f"--database: sqlite, postgresql, both or a postgresql:// URL, not {choice!r}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))  # survey.config, for the PostgreSQL URL form
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with &
    cpus = os.cpu_count() or 1
    print(
        f"answer_flow benchmark: gunicorn -k gthread -w {args.workers} --threads {args.threads}; "
        f"{cpus} CPU(s); Python {platform.python_version()}; load average {load_average():.2f}\n"
        f"  saturation:  {args.rounds} rounds × {args.window:g} s per app, {args.clients} "
        "clients, no think time\n"
        f"  respondents: {args.respondent_rounds} rounds × {args.respondent_window:g} s per app, "
        f"{args.clients} clients, think {args.think:g} s ±50 % (seed {args.seed})"
    )
    summaries = []
    servers: list[Gunicorn] = []
    began = time.perf_counter()
    clients = ClientProcess()  # first: this process has no threads yet
    try:
        for server_url in database_servers(args.database):
            tmp = Path(tempfile.mkdtemp(prefix="answer-flow-"))
            try:
                summaries.append(benchmark(args, server_url, tmp, servers, clients))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except KeyboardInterrupt:
        print("\nInterrupted; servers stopped, temporary files removed.", file=sys.stderr)
        return 130
    finally:
        clients.close()
    if len(summaries) > 1:
        print_summary(summaries, args)
    print(f"\n(whole run {time.perf_counter() - began:.0f} s; load average {load_average():.2f})")
    return 0 if all(s["correct"] for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
