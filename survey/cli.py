"""The `survey` console script: the Flask CLI with this app's commands."""

import atexit
import contextlib
import gc
import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

# Commands that serve or look at the pages; every other command gets the app without them
# (create_app(web=False)): `survey report`, and the timers' `outbox send`, `campaign remind`,
# `maintenance` and `backup`, start a third faster.
WEB_COMMANDS = frozenset({"serve", "run", "routes", "shell"})
# Full garbage collections in a command's process: after every 100th collection of the
# middle generation (CPython's default: every 10th); see _keep_out_of_garbage_collection.
GC_FULL_EVERY = 100


def _create_app():
    from survey import create_app

    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context is not None else None
    if info is None or "command" not in info.data:  # `survey --help` lists them all
        return create_app()
    command = info.data["command"]
    web = command in WEB_COMMANDS
    app = create_app(web=web, commands=[command])
    if not web:
        _keep_out_of_garbage_collection()
        _end_without_teardown(app)
    return app


def _keep_out_of_garbage_collection() -> None:
    """Move every object that exists now (the imported modules, the app, its extensions and
    the tables' metadata: ~90 000 objects) out of the cyclic garbage collector's sight, as
    gc.freeze() is meant for. They live until a command's process ends; left in, every full
    collection walks them again, and so does the last one when the interpreter exits. The
    PDF layout of `survey report` (WeasyPrint) leaves many short-lived objects and so
    triggers full collections: they took ~0,5 s of `survey report heltid` (3 000 people), now
    ~0,3 s, and with the last collection at exit the command's CPU time fell by ~0,4 s (3,3 to
    2,8 s). Only a CLI run's process does it: a web worker keeps its objects to itself.

    Frozen objects no longer count as long-lived, and that count is what holds full
    collections back (CPython runs one only when the objects that became long-lived since
    the last exceed a quarter of those): with it near zero, every 10th collection of the
    middle generation became a full one, 5 in that report at ~40 ms each. A command's
    process is short-lived, so full collections wait for 100 middle-generation collections
    (GC_FULL_EVERY) instead: the report then runs with one, ~0,2 s less CPU, for ~5 MiB more
    memory at its peak; the young generations still collect as before."""
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, GC_FULL_EVERY)


# Set for a command that serves no pages: its process ends without the interpreter's teardown.
_short_run = False


def _end_without_teardown(app: Flask) -> None:
    """When a command that serves no pages is done, end the process as soon as the exit
    handlers have run (`_exit`), without the interpreter's teardown: it deallocates every
    object, module by module, and took ~0,2 s of the ~2 s of `survey report heltid`. Nothing
    is lost: the command's work is committed, its files written and closed; the exit
    handlers still flush and close the logs; and the database connections are closed here
    first, so PostgreSQL sees each session end as usual."""
    global _short_run
    _short_run = True

    def close_connections() -> None:
        from survey.extensions import db

        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()

    atexit.register(close_connections)


def _exit(status) -> None:
    """Run the exit handlers, flush the standard streams and end the process with `status`
    (a SystemExit's code: None, a number, or a message for stderr), skipping the teardown."""
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(status or 0)


class SurveyGroup(FlaskGroup):
    """The Flask CLI, building the app with or without its pages as the command needs, with
    only the command being run registered (survey.COMMAND_MODULES), and
    without other packages' plugin commands (the `flask.commands` entry points): the only one
    installed is Flask-Limiter's `limiter`, whose import (rich) and the scan of every
    installed package's entry points cost every `survey` command ~0,1 s. The app's own
    commands are all registered by create_app."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        # The first name asked for is the command being run (listing them all for --help
        # loads the app before any name is asked for, with every command).
        ctx.ensure_object(ScriptInfo).data.setdefault("command", name)
        return super().get_command(ctx, name)

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True

    def __call__(self, *args, **kwargs):
        """The console script's entry (click's test runner calls `main` instead)."""
        try:
            return self.main(*args, **kwargs)
        except SystemExit as done:
            if _short_run:
                _exit(done.code)
            raise


main = SurveyGroup(create_app=_create_app, help="Heltid surveys: serve, questionnaires, campaigns.")
