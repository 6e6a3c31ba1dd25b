"""gunicorn's settings in production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`, started by
deploy/systemd/heltid.service behind nginx (deploy/nginx/heltid.conf). Options on the command
line override these; the environment variables below let an operator tune without editing.

Logging: the app logs one line per request itself, with its endpoint (never the path, which
may hold a personal link's token), status, time, request id and user (survey/logs.py). So
gunicorn's own access log, which would repeat every request with the raw path and the
client's address, stays off, and every line gunicorn's error log writes goes through
survey.logs.MaskSecrets (`MaskingLogger`): personal-link, login-link and reset tokens never
reach a log. Both go to stderr, which systemd hands to the journal."""

import multiprocessing
import os
import sys


def _setting(names: tuple[str, ...], default: int) -> int:
    for name in names:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return default


# nginx on the same host proxies to this address (deploy/nginx/heltid.conf `upstream`).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# One process per core, each with a few threads: a request mostly waits for the database, and
# threads cost far less memory than processes (each process holds its own ~100 MiB app).
worker_class = "gthread"
workers = _setting(("GUNICORN_WORKERS", "WEB_CONCURRENCY"), multiprocessing.cpu_count())
threads = _setting(("GUNICORN_THREADS",), 4)

# A request running longer than this is killed with its worker; the slowest pages (a PDF
# report of a whole municipality) take seconds, not a minute.
timeout = _setting(("GUNICORN_TIMEOUT",), 60)
# On stop or reload, requests under way get this long to finish (systemd's TimeoutStopSec is
# longer).
graceful_timeout = 30
# nginx keeps connections to gunicorn open for its `keepalive_timeout` (60 s by default): the
# app server must not close an idle connection first, or nginx could send a POST down a
# connection being closed and answer 502.
keepalive = 75

# Load the app once in the master, then fork the workers: they share its memory pages, start
# at once, and a worker replaced after `max_requests` costs no import. A new release therefore
# needs `systemctl restart heltid` (a HUP reloads workers, not the code).
preload_app = True
# A worker is replaced after this many requests (spread out, so they do not all restart at
# once): whatever memory a long-lived process gathers is given back.
max_requests = 10000
max_requests_jitter = 1000


def post_fork(server, worker):
    """Database connections opened in the master (none, normally) must not be shared with the
    workers: each worker starts with empty pools, as SQLAlchemy advises for forked processes."""
    from survey.extensions import db

    preloaded = sys.modules.get("wsgi")
    if preloaded is None:  # preload_app off: the worker loads the app after this hook
        return
    with preloaded.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


# The scheme and client address come from nginx on loopback; the app applies them with
# werkzeug's ProxyFix (PROXY_COUNT=1). gunicorn trusts X-Forwarded-Proto only from here too
# (nginx on another machine: its address, and a firewall letting only nginx reach `bind`).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = None
errorlog = "-"
logger_class = "survey.logs.MaskingLogger"

# gunicornc's control socket: in the service's runtime directory (systemd's RuntimeDirectory=
# sets RUNTIME_DIRECTORY), else none, so app servers started side by side do not share one.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"], "gunicorn.ctl")
else:
    control_socket_disable = True
