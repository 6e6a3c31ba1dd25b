"""Benchmark of the answering flow: page weight, submit throughput and latency, correctness.

    .venv/bin/python benchmarks/answer_flow.py [--duration S] [--clients N] [--runs R]
                                               [--workers W] [--threads T] [--think S]
                                               [--respondent-duration S] [--seed K]
                                               [--skip-baseline]

What it does (details in benchmarks/README.md):

(a) walks `heltid-arlig` once and reports, for every page of the flow, the HTML and the CSS and
    JS it references, each gzipped at level 9 (as a server or proxy would: the app itself does
    not compress), and the heaviest page. Target: at most 30 KB for a page on first visit.
(b) runs N simulated respondents (threads, one requests.Session per respondent) against
    gunicorn on a fresh SQLite file. Each answers the whole questionnaire along the
    part-time-wants-more branch, reviews and sends, then starts again as a new respondent.
    A submit is every POST answered by a redirect plus its redirected GET: the start button,
    every page and the send button (the welcome GET is load, not a submit). Two phases:
    - saturation: no think time, until N*R questionnaires or S seconds; measures submits/s;
    - respondents: each pause before a submit is --think seconds ±50 % (uniform, seeded per
      client), for --respondent-duration seconds; measures submit latency p50/p95/p99.
(c) does the same two phases for benchmarks/baseline_app.py (one INSERT, redirect, one small
    template) under the same gunicorn settings. Targets: survey submits/s at saturation at
    least 50 % of the baseline's; survey submit p95 in the respondents phase at most 150 ms.
(d) checks in the databases, for the rows of every phase, that nothing was lost or duplicated.
    Exits 1 when a check fails; performance targets are only reported.

Only 127.0.0.1 is contacted. Temporary files are removed and the servers stopped at the end,
also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
QUESTIONNAIRE = "heltid-arlig"

PAGE_BYTES_TARGET = 30 * 1024  # bytes, gzipped, HTML + CSS + JS
THROUGHPUT_TARGET = 0.50  # of the baseline
P95_TARGET_MS = 150.0

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME_RE = re.compile(r'class="question[^"]*" id="q-[^"]+" data-name="([^"]+)"')
ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')


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


# --- Servers --------------------------------------------------------------------------------


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


class Gunicorn:
    """One gunicorn master we started, in its own process group."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict,
        workers: int,
        threads: int,
        log: Path,
        extra: list[str] | None = None,
    ):
        self.name, self.port, self.log = name, free_port(), log
        self.argv = [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "-b",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
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
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited\n{self.log_tail()}")
            try:
                if requests.get(self.base + ready_path, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: gunicorn did not answer in 30 s\n{self.log_tail()}")

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

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own session: master and workers
            self.proc.wait(timeout=5)


# --- Clients --------------------------------------------------------------------------------


class FlowError(Exception):
    pass


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: list[str] = field(default_factory=list)  # run ids with a draft in the database
    completed: list[Plan] = field(default_factory=list)
    aborted: int = 0
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def merge(self, other: Stats) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        self.started += other.started
        self.completed += other.completed
        self.aborted += other.aborted
        self.errors += other.errors
        self.requests += other.requests


class Stop(Exception):
    pass


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

    Each client has its own generator (seed and client number), so the sequence of pauses does
    not depend on how the threads are scheduled and two runs with the same seed are comparable.
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
    """Wait one think time (not timed). Raises Stop when the phase ends meanwhile."""
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
    """Answers the questionnaire like a phone browser without JavaScript.

    A *submit* is a POST answered by a redirect plus the GET it redirects to: the start button,
    every questionnaire page and the send button. Each is timed under its own kind and under
    "submit" (all of them). The welcome GET is timed too but is not a submit.
    """

    def __init__(
        self,
        base: str,
        slug: str,
        stats: Stats,
        stop: threading.Event | None,
        keep_pages: dict | None = None,
        think: Think | None = None,
    ):
        self.base, self.slug, self.stats, self.stop, self.think = base, slug, stats, stop, think
        self.keep_pages = keep_pages  # page name -> final response, for the weight check
        self.session = new_session()
        self.last: requests.Response | None = None

    def _check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Stop

    def _expect(self, response: requests.Response, path_end: str, what: str) -> None:
        path = urlsplit(response.url).path
        if response.status_code != 200 or not path.endswith(path_end):
            raise FlowError(
                f"{what}: got {response.status_code} at {path}, expected 200 at …{path_end}: "
                + re.sub(r"\s+", " ", response.text[:300])
            )

    def _get(self, path: str, kind: str, path_end: str) -> None:
        self._check_stop()
        began = time.perf_counter()
        response = self.session.get(self.base + path, timeout=60)
        self.stats.latencies[kind].append(time.perf_counter() - began)
        self.stats.requests += 1
        self._expect(response, path_end, kind)
        self.last = response

    def _submit(self, url: str, data: dict, kind: str, path_end: str) -> None:
        """One submit: the POST and the GET it redirects to."""
        if self.stop is not None:
            think_between(self.think, self.stop, self.session)  # reading and answering the page
        self._check_stop()
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

    def run(self, plan: Plan) -> None:
        slug = self.slug
        self._get(f"/s/{slug}", "welcome GET", f"/s/{slug}")
        self._keep("welcome")
        self._submit(
            f"{self.base}/s/{slug}/start",
            {"csrf_token": self._csrf()},
            "start submit",
            "/side/stilling",
        )
        self.stats.started.append(plan.run_id)
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
            self._submit(self.last.url, data, "page submit", end)
            self.stats.latencies[f"page submit: {name}"].append(
                self.stats.latencies["page submit"][-1]
            )
            self._keep(following)
        self._submit(
            f"{self.base}/s/{slug}/send", {"csrf_token": self._csrf()}, "send submit", "/kvittering"
        )
        self._keep("kvittering")
        self.stats.completed.append(plan)


def respondent_loop(
    index: int,
    base: str,
    slug: str,
    stats: Stats,
    stop: threading.Event,
    done: list,
    target: int,
    lock: threading.Lock,
    think: Think | None = None,
    prefix: str = "c",
) -> None:
    """One client: respondent after respondent until `stop`; run ids are `{prefix}{index}-r{n}`."""
    n = 0
    if think is not None and think.mean > 0 and stop.wait(think.offset()):
        return  # the clients' clocks are spread over one think time
    while not stop.is_set():
        run_id = f"{prefix}{index}-r{n}"
        respondent = Respondent(base, slug, stats, stop, think=think)
        try:
            respondent.run(plan_for(run_id, index * 1000 + n))
            with lock:
                done[0] += 1
                if done[0] >= target:
                    stop.set()
        except Stop:
            stats.aborted += 1
        except (FlowError, requests.RequestException) as error:
            stats.errors.append(f"{run_id}: {error}")
            time.sleep(0.05)
        finally:
            respondent.session.close()
        n += 1


def baseline_loop(
    index: int,
    base: str,
    stats: Stats,
    stop: threading.Event,
    sent: list,
    think: Think | None = None,
    prefix: str = "c",
) -> None:
    """One baseline client: POST (+ redirected GET), think, POST, … until `stop`."""
    session = new_session()
    n = 0
    if think is not None and think.mean > 0 and stop.wait(think.offset()):
        return
    try:
        while not stop.is_set():
            if n:
                try:
                    think_between(think, stop, session)
                except Stop:
                    break
            value = f"{prefix}{index}-{n}"
            began = time.perf_counter()
            try:
                response = session.post(base + "/items", data={"value": value}, timeout=60)
            except requests.RequestException as error:
                stats.errors.append(f"{value}: {error}")
                n += 1
                continue
            stats.latencies["submit"].append(time.perf_counter() - began)
            stats.requests += 1 + len(response.history)
            if [r.status_code for r in response.history] == [302]:
                sent.append(value)  # the POST was answered with its redirect: a row exists
            if response.status_code != 200 or not response.history:
                stats.errors.append(f"{value}: {response.status_code} {response.text[:200]}")
            n += 1
    finally:
        session.close()


@dataclass
class LoadResult:
    stats: Stats
    elapsed: float
    client_cpu: float
    server_cpu: float
    other_cpu: float  # other processes on the machine: noise in the figures


def run_threads(
    targets: list, stop: threading.Event, duration: float, server: Gunicorn, stats_list: list[Stats]
) -> LoadResult:
    threads = [threading.Thread(target=fn, args=args, daemon=True) for fn, args in targets]
    cpu0, server0, machine0 = time.process_time(), server.cpu_seconds(), machine_busy_seconds()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    deadline = began + duration
    try:
        while any(t.is_alive() for t in threads):
            if time.perf_counter() >= deadline:
                stop.set()
            time.sleep(0.05)
    finally:
        stop.set()
    elapsed = time.perf_counter() - began
    client_cpu, server_cpu = time.process_time() - cpu0, server.cpu_seconds() - server0
    other_cpu = max(0.0, machine_busy_seconds() - machine0 - client_cpu - server_cpu)
    total = Stats()
    for stats in stats_list:
        total.merge(stats)
    return LoadResult(total, elapsed, client_cpu, server_cpu, other_cpu)


# --- Measurements ---------------------------------------------------------------------------


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


# --- Correctness ----------------------------------------------------------------------------


def check_survey_db(
    path: Path, slug: str, stats: Stats, phases: dict[str, Stats]
) -> list[tuple[str, bool, str]]:
    """`stats` covers every run against the survey; `phases` names parts of it for a line each."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (campaign_id,) = connection.execute(
            "SELECT id FROM campaign WHERE slug = ?", (slug,)
        ).fetchone()
        statuses = dict(
            connection.execute(
                "SELECT status, count(*) FROM response WHERE campaign_id = ? GROUP BY status",
                (campaign_id,),
            ).fetchall()
        )
        rows = connection.execute(
            "SELECT a.response_id, a.question, a.value FROM answer a "
            "JOIN response r ON r.id = a.response_id "
            "WHERE r.campaign_id = ? AND r.status = 'submitted'",
            (campaign_id,),
        ).fetchall()
    finally:
        connection.close()
    submitted, drafts = statuses.get("submitted", 0), statuses.get("draft", 0)
    by_response: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for response_id, question, value in rows:
        # The JSON column has NUMERIC affinity in SQLite: numbers come back as numbers.
        by_response[response_id].append(
            (question, json.loads(value) if isinstance(value, str) else value)
        )

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
            "submitted responses == completed runs",
            submitted == len(stats.completed),
            f"{submitted} submitted, {len(stats.completed)} runs completed",
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


def check_baseline_db(path: Path, phases: dict[str, list[str]]) -> list[tuple[str, bool, str]]:
    """`phases`: the values whose POST was answered with a redirect, per phase."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        values = [v for (v,) in connection.execute("SELECT value FROM item")]
    finally:
        connection.close()
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


# --- Main -----------------------------------------------------------------------------------


def run_command(argv: list[str], env: dict) -> str:
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def parse_args(argv=None) -> argparse.Namespace:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=30.0,
        help="saturation phase: at most this many seconds of load per server (default 30)",
    )
    parser.add_argument(
        "--clients", type=int, default=50, help="concurrent respondents in both phases (50)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=4,
        help="stop the survey's saturation phase after clients*runs questionnaires (4)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=cpus,
        help=f"gunicorn worker processes (default: one per core = {cpus})",
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker (default 4)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="respondents phase: mean seconds a respondent spends on a page before sending it; "
        "each pause is drawn uniformly from ±50 %% of it (default 3)",
    )
    parser.add_argument(
        "--respondent-duration",
        type=float,
        default=40.0,
        help="respondents phase: seconds of load per server (default 40; 0 skips the phase)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="seed of the think-time generators (default 1; same seed, same pauses)",
    )
    parser.add_argument("--skip-baseline", action="store_true", help="only measure the survey app")
    args = parser.parse_args(argv)
    if args.think < 0 or args.respondent_duration < 0 or args.duration <= 0 or args.clients < 1:
        parser.error("durations and --think must not be negative, --clients at least 1")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with &
    tmp = Path(tempfile.mkdtemp(prefix="answer-flow-"))
    servers: list[Gunicorn] = []
    try:
        return benchmark(args, tmp, servers)
    except KeyboardInterrupt:
        print("\nInterrupted; stopping the servers and removing temporary files.", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001 - keep cleaning up
                print(f"could not stop {server.name}: {error}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def survey_phase(
    survey: Gunicorn,
    slug: str,
    args: argparse.Namespace,
    *,
    think: float,
    duration: float,
    target: float,
    prefix: str,
) -> LoadResult:
    """`args.clients` respondent loops against the survey until `target` questionnaires or time."""
    stop, done, lock = threading.Event(), [0], threading.Lock()
    per_client = [Stats() for _ in range(args.clients)]
    targets = [
        (
            respondent_loop,
            (
                i,
                survey.base,
                slug,
                per_client[i],
                stop,
                done,
                target,
                lock,
                Think(think, args.seed, i) if think > 0 else None,
                prefix,
            ),
        )
        for i in range(args.clients)
    ]
    return run_threads(targets, stop, duration, survey, per_client)


def baseline_phase(
    baseline: Gunicorn,
    clients: int,
    seed: int,
    *,
    think: float,
    duration: float,
    prefix: str,
    sent: list[str],
) -> LoadResult:
    stop = threading.Event()
    per_client = [Stats() for _ in range(clients)]
    targets = [
        (
            baseline_loop,
            (
                i,
                baseline.base,
                per_client[i],
                stop,
                sent,
                Think(think, seed, i) if think > 0 else None,
                prefix,
            ),
        )
        for i in range(clients)
    ]
    return run_threads(targets, stop, duration, baseline, per_client)


@dataclass
class Results:
    saturation: LoadResult
    respondents: LoadResult | None
    base_saturation: LoadResult | None = None
    base_respondents: LoadResult | None = None


def benchmark(args: argparse.Namespace, tmp: Path, servers: list[Gunicorn]) -> int:
    survey_db, baseline_db = tmp / "survey.sqlite3", tmp / "baseline.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{survey_db}",
        "SECRET_KEY": "answer-flow-benchmark-not-a-secret",
        "BASE_URL": "http://127.0.0.1",
        "BASELINE_DATABASE_URL": f"sqlite:///{baseline_db}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_APP", None)
    cpus = os.cpu_count() or 1
    print(
        f"answer_flow benchmark: gunicorn -k gthread -w {args.workers} --threads {args.threads}; "
        f"{cpus} CPU(s); Python {platform.python_version()}"
    )
    print(
        f"  saturation:  {args.clients} clients, no think time, ≤{args.duration:g} s or "
        f"{args.clients * args.runs} questionnaires (survey) per server"
    )
    if args.respondent_duration > 0:
        print(
            f"  respondents: {args.clients} respondents, think {args.think:g} s ±50 % "
            f"(seed {args.seed}), {args.respondent_duration:g} s per server"
        )
    print(f"temporary files in {tmp}")

    # Set-up, as an operator would.
    run_command([str(BIN / "survey"), "db", "upgrade"], env)
    run_command([str(BIN / "survey"), "questionnaires", "load"], env)
    out = run_command(
        [
            str(BIN / "survey"),
            "campaign",
            "create",
            "--questionnaire",
            QUESTIONNAIRE,
            "--mode",
            "anonymous",
            "--title",
            "Benchmark",
        ],
        env,
    )
    match = re.search(r"open link: \S*/s/([A-Za-z0-9_-]+)", out)
    if not match:
        raise RuntimeError(f"no open link in:\n{out}")
    slug = match.group(1)
    print(f"campaign open link: /s/{slug}")

    survey = Gunicorn("survey", "wsgi:app", env, args.workers, args.threads, tmp / "survey.log")
    servers.append(survey)
    survey.start(f"/s/{slug}")

    # (a) One respondent walks the flow; keep every page it sees. This run counts in (d).
    prep = Stats()
    pages: dict[str, requests.Response] = {}
    walker = Respondent(survey.base, slug, prep, None, keep_pages=pages)
    walker.run(plan_for("weight", 0))
    walker.session.close()
    weights, facts = page_weights(survey.base, pages)

    # Warm-up: every worker loads the definition and compiles its templates. Counts in (d).
    warm_stop, warm_done, warm_lock = threading.Event(), [0], threading.Lock()
    warm = [Stats() for _ in range(args.workers * args.threads)]
    run_threads(
        [
            (
                respondent_loop,
                (1000 + i, survey.base, slug, warm[i], warm_stop, warm_done, len(warm), warm_lock),
            )
            for i in range(len(warm))
        ],
        warm_stop,
        20,
        survey,
        warm,
    )
    for stats in warm:
        prep.merge(stats)

    # (b) The survey: saturation, then respondents who think.
    print(f"survey, saturation: {args.clients} clients …", flush=True)
    results = Results(
        survey_phase(
            survey,
            slug,
            args,
            think=0.0,
            duration=args.duration,
            target=args.clients * args.runs,
            prefix="c",
        ),
        None,
    )
    if args.respondent_duration > 0:
        print(f"survey, respondents: {args.clients} respondents …", flush=True)
        results.respondents = survey_phase(
            survey,
            slug,
            args,
            think=args.think,
            duration=args.respondent_duration,
            target=float("inf"),
            prefix="p",
        )
    survey.stop()

    # (c) The baseline, the same two phases.
    baseline_sent: dict[str, list[str]] = {}
    baseline_errors: list[str] = []
    if not args.skip_baseline:
        run_command([sys.executable, str(ROOT / "benchmarks" / "baseline_app.py"), "init"], env)
        baseline = Gunicorn(
            "baseline",
            "baseline_app:app",
            env,
            args.workers,
            args.threads,
            tmp / "baseline.log",
            extra=["--pythonpath", str(ROOT / "benchmarks")],
        )
        servers.append(baseline)
        baseline.start("/items/0")
        baseline_sent = {"warm-up": [], "saturation": []}
        warmed = baseline_phase(
            baseline,
            args.workers * args.threads,
            args.seed,
            think=0.0,
            duration=1.0,
            prefix="w",
            sent=baseline_sent["warm-up"],
        )
        baseline_errors += warmed.stats.errors
        print(f"baseline, saturation: {args.clients} clients …", flush=True)
        results.base_saturation = baseline_phase(
            baseline,
            args.clients,
            args.seed,
            think=0.0,
            duration=min(args.duration, max(5.0, results.saturation.elapsed)),
            prefix="c",
            sent=baseline_sent["saturation"],
        )
        baseline_errors += results.base_saturation.stats.errors
        if args.respondent_duration > 0:
            print(f"baseline, respondents: {args.clients} respondents …", flush=True)
            baseline_sent["respondents"] = []
            results.base_respondents = baseline_phase(
                baseline,
                args.clients,
                args.seed,
                think=args.think,
                duration=args.respondent_duration,
                prefix="p",
                sent=baseline_sent["respondents"],
            )
            baseline_errors += results.base_respondents.stats.errors
        baseline.stop()

    # (d) Correctness, once the servers have stopped: every phase's rows.
    phases = {"weight walk + warm-up": prep, "saturation": results.saturation.stats}
    if results.respondents is not None:
        phases["respondents"] = results.respondents.stats
    total = Stats()
    for stats in phases.values():
        total.merge(stats)
    checks = check_survey_db(survey_db, slug, total, phases)
    checks.append(
        (
            "no HTTP errors or unexpected redirects (survey)",
            not total.errors,
            f"{len(total.errors)} errors ("
            + ", ".join(f"{name} {len(st.errors)}" for name, st in phases.items())
            + ") "
            + "; ".join(total.errors[:3]),
        )
    )
    if baseline_sent:
        checks += check_baseline_db(baseline_db, baseline_sent)
        checks.append(
            (
                "no HTTP errors (baseline)",
                not baseline_errors,
                f"{len(baseline_errors)} errors " + "; ".join(baseline_errors[:3]),
            )
        )

    report(args, weights, facts, results, checks, cpus)
    if any(
        log.exists() and "Traceback" in log.read_text(errors="replace")
        for log in (tmp / "survey.log", tmp / "baseline.log")
    ):
        print("\nServer log tracebacks:\n" + survey.log_tail(40))
    return 0 if all(ok for _, ok, _ in checks) else 1


SUBMIT_KINDS = ("start submit", "page submit", "send submit")


def figures(result: LoadResult | None) -> dict | None:
    """Throughput, latency and CPU of one phase. A submit = POST + redirected GET, of any kind."""
    if result is None:
        return None
    latencies, elapsed = result.stats.latencies, result.elapsed
    submits = latencies["submit"]
    timed = len(submits) + len(latencies.get("welcome GET", []))
    return {
        "count": len(submits),
        "rate": len(submits) / elapsed,
        "page_count": len(latencies.get("page submit", [])),
        "page_rate": len(latencies.get("page submit", [])) / elapsed,
        "p50": percentile(submits, 50),
        "p95": percentile(submits, 95),
        "p99": percentile(submits, 99),
        "page_p95": percentile(latencies.get("page submit", []), 95),
        "mean": sum(submits) / len(submits) if submits else float("nan"),
        # Little's law for a closed loop: clients = rate of timed requests × mean time in them.
        "timed_rate": timed / elapsed,
        "elapsed": elapsed,
        "req_rate": result.stats.requests / elapsed,
        "client_cpu": result.client_cpu / elapsed,
        "server_cpu": result.server_cpu / elapsed,
        "other_cpu": result.other_cpu / elapsed,
        # Server CPU per submit: all the server's CPU in the phase (for the survey this includes
        # the welcome GETs, one per 9 submits) over the submits. Independent of the client.
        "cpu_per_submit": result.server_cpu / len(submits) if submits else float("nan"),
    }


def report(args, weights, facts, results: Results, checks, cpus):
    line = "-" * 78
    print(
        f"\n{line}\n(a) Bytes per page of {QUESTIONNAIRE} (gzip -9; first visit = HTML + CSS + JS)"
    )
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
    questionnaire_pages = [
        r for r in weights if r["page"] not in ("welcome", "oppsummering", "kvittering")
    ]
    heaviest = max(questionnaire_pages, key=lambda r: r["total_gz"])
    heaviest_any = max(weights, key=lambda r: r["total_gz"])
    print(
        f"    heaviest questionnaire page: {heaviest['page']} {heaviest['total_gz']} B "
        f"({heaviest['total_gz'] / 1024:.1f} KiB); heaviest of the flow: {heaviest_any['page']} "
        f"{heaviest_any['total_gz']} B"
    )

    def cpu_line(fig: dict) -> str:
        return (
            f"CPU: server {fig['server_cpu'] * 100:.0f} %, client (this process) "
            f"{fig['client_cpu'] * 100:.0f} %, other processes {fig['other_cpu'] * 100:.0f} % "
            f"(of {cpus * 100} %)"
        )

    def table(result: LoadResult, per_page: bool) -> None:
        latencies, elapsed = result.stats.latencies, result.elapsed
        print(f"    {'request':<34}{'count':>7}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
        kinds = [("welcome GET (load, not a submit)", "welcome GET")]
        kinds += [(k, k) for k in SUBMIT_KINDS]
        kinds += [("all submits (start+page+send)", "submit")]
        if per_page:
            kinds += [(k, k) for k in sorted(latencies) if k.startswith("page submit: ")]
        for label, kind in kinds:
            values = latencies.get(kind, [])
            print(
                f"    {label:<34}{len(values):>7}{len(values) / elapsed:>8.1f}"
                f"{ms(percentile(values, 50)):>8}{ms(percentile(values, 95)):>8}"
                f"{ms(percentile(values, 99)):>8}"
            )

    sat, resp = figures(results.saturation), figures(results.respondents)
    base_sat, base_resp = figures(results.base_saturation), figures(results.base_respondents)
    print(
        f"\n{line}\n(b) Survey app: gunicorn -k gthread -w {args.workers} --threads "
        f"{args.threads}, SQLite. A submit = POST answered by a redirect + its redirected GET."
    )
    for title, result, fig in (
        (
            f"Saturation: {args.clients} clients, no think time (throughput)",
            results.saturation,
            sat,
        ),
        (
            f"Respondents: {args.clients} respondents, think {args.think:g} s ±50 % (latency)",
            results.respondents,
            resp,
        ),
    ):
        if result is None:
            continue
        stats = result.stats
        print(f"  {title}")
        print(
            f"    {result.elapsed:.1f} s; {len(stats.completed)} questionnaires sent, "
            f"{stats.aborted} stopped mid-way at the end, {len(stats.errors)} errors; "
            f"{stats.requests} HTTP requests ({fig['req_rate']:.0f}/s)"
        )
        table(result, per_page=result is results.saturation)
        print(f"    {cpu_line(fig)}; server CPU per submit {fig['cpu_per_submit'] * 1000:.1f} ms")

    if base_sat is not None:
        print(
            f"\n{line}\n(c) Baseline (benchmarks/baseline_app.py: INSERT, redirect, small "
            "template), same gunicorn settings; every POST + redirected GET is a submit"
        )
        print(
            f"    {'phase':<14}{'s':>6}{'submits':>9}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'p99 ms':>8}{'errors':>8}"
        )
        for name, result, fig in (
            ("saturation", results.base_saturation, base_sat),
            ("respondents", results.base_respondents, base_resp),
        ):
            if result is None:
                continue
            print(
                f"    {name:<14}{result.elapsed:>6.1f}{fig['count']:>9}{fig['rate']:>8.1f}"
                f"{ms(fig['p50']):>8}{ms(fig['p95']):>8}{ms(fig['p99']):>8}"
                f"{len(result.stats.errors):>8}"
            )
            print(
                f"      {cpu_line(fig)}; server CPU per submit {fig['cpu_per_submit'] * 1000:.1f} ms"
            )

    print(f"\n{line}\n(d) Correctness (all phases)")
    for name, ok, detail in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {name}: {detail}")

    print(f"\n{line}\nSummary (targets are reported, not asserted)")
    print(f"    {'figure':<48}{'value':>22}  {'target':<10}{'met':>4}")

    def row(name, value, target="", met=None):
        mark = "" if met is None else ("yes" if met else "NO")
        print(f"    {name:<48}{value:>22}  {target:<10}{mark:>4}")

    def both(fmt, a, b, unit=""):
        return f"{fmt.format(a)} / " + (fmt.format(b) if b is not None else "-") + unit

    row(
        f"page bytes, heaviest ({heaviest['page']}), gz",
        f"{heaviest['total_gz']} B",
        f"≤ {PAGE_BYTES_TARGET} B",
        heaviest["total_gz"] <= PAGE_BYTES_TARGET,
    )
    row("app compresses responses itself", "yes" if facts["compresses"] else "no")

    print(f"    Saturation ({args.clients} clients, no think time): throughput")
    row(
        "  submits/s, survey / baseline",
        both("{:.1f}", sat["rate"], base_sat and base_sat["rate"]),
    )
    if base_sat is not None:
        share = sat["rate"] / base_sat["rate"] if base_sat["rate"] else 0.0
        row(
            "  survey throughput as % of baseline",
            f"{share * 100:.1f} %",
            f"≥ {THROUGHPUT_TARGET * 100:g} %",
            share >= THROUGHPUT_TARGET,
        )
        page_share = sat["page_rate"] / base_sat["rate"] if base_sat["rate"] else 0.0
        row(
            "  page submits only: survey /s, % of baseline",
            f"{sat['page_rate']:.1f}/s, {page_share * 100:.1f} %",
        )
    else:
        row("  page submits only, survey /s", f"{sat['page_rate']:.1f}")
    row(
        "  submit p95, survey / baseline (no target)",
        both("{:.0f}", sat["p95"] * 1000, base_sat and base_sat["p95"] * 1000, " ms"),
    )
    row(
        "  server CPU per submit, survey / baseline",
        both(
            "{:.1f}",
            sat["cpu_per_submit"] * 1000,
            base_sat and base_sat["cpu_per_submit"] * 1000,
            " ms",
        ),
    )
    if base_sat is not None:
        row(
            "    baseline ÷ survey (CPU-normalised share)",
            f"{base_sat['cpu_per_submit'] / sat['cpu_per_submit'] * 100:.1f} %",
        )
    if resp is not None:
        print(
            f"    Respondents ({args.clients}, think {args.think:g} s ±50 %): latency of a submit"
        )
        row(
            "  submits/s offered, survey / baseline",
            both("{:.1f}", resp["rate"], base_resp and base_resp["rate"]),
        )
        row(
            "  survey submit p50 / p95 / p99",
            f"{resp['p50'] * 1000:.1f} / {resp['p95'] * 1000:.1f} / {resp['p99'] * 1000:.1f} ms",
        )
        row(
            "  survey submit p95",
            f"{resp['p95'] * 1000:.1f} ms",
            f"≤ {P95_TARGET_MS:g} ms",
            resp["p95"] * 1000 <= P95_TARGET_MS,
        )
        if base_resp is not None:
            row(
                "  baseline submit p50 / p95 / p99",
                f"{base_resp['p50'] * 1000:.1f} / {base_resp['p95'] * 1000:.1f} / "
                f"{base_resp['p99'] * 1000:.1f} ms",
            )
        row(
            "  server CPU per submit, survey / baseline",
            both(
                "{:.1f}",
                resp["cpu_per_submit"] * 1000,
                base_resp and base_resp["cpu_per_submit"] * 1000,
                " ms",
            ),
        )
    else:
        row("  respondents phase (p95 target not judged)", "skipped")
    row("correctness checks (all phases)", "PASS" if all(ok for _, ok, _ in checks) else "FAIL")

    print(
        f"    note: at saturation every client waits for its own answer and sends again at once, "
        f"so mean latency ≈ clients ÷ throughput (Little's law): survey {args.clients} ÷ "
        f"{sat['timed_rate']:.0f} timed requests/s = {args.clients / sat['timed_rate'] * 1000:.0f}"
        f" ms, measured mean submit {sat['mean'] * 1000:.0f} ms"
        + (
            f"; baseline {args.clients} ÷ {base_sat['timed_rate']:.0f}/s = "
            f"{args.clients / base_sat['timed_rate'] * 1000:.0f} ms, measured "
            f"{base_sat['mean'] * 1000:.0f} ms"
            if base_sat
            else ""
        )
        + ". That latency is queueing, so the p95 target is judged in the respondents phase."
    )
    print(
        "    note: server CPU per submit includes the survey's welcome GETs (one per 9 submits);"
        " it does not depend on the CPU the client or other processes took."
    )
    for app, phase, fig in (
        ("survey", "saturation", sat),
        ("survey", "respondents", resp),
        ("baseline", "saturation", base_sat),
        ("baseline", "respondents", base_resp),
    ):
        if fig is None:
            continue
        busy = fig["server_cpu"] + fig["client_cpu"] + fig["other_cpu"]
        if busy > 0.9 * cpus:
            print(
                f"    note: the machine was CPU-bound during the {app} {phase} phase "
                f"({busy * 100:.0f} % of {cpus * 100} %): the client on the same host took "
                f"{fig['client_cpu'] * 100:.0f} % and other processes "
                f"{fig['other_cpu'] * 100:.0f} % (100 % = one core) from the server."
                + (
                    " Server CPU per submit does not depend on that."
                    if phase == "saturation"
                    else " Latencies are higher than on a machine of its own."
                )
            )
        elif fig["other_cpu"] > 0.2:
            print(
                f"    note: other processes used {fig['other_cpu'] * 100:.0f} % of one core "
                f"during the {app} {phase} phase; "
                + (
                    "its throughput is lower than on a quiet machine."
                    if phase == "saturation"
                    else "its latencies may be higher than on a quiet machine."
                )
            )


if __name__ == "__main__":
    sys.exit(main())
