"""`survey maintenance`: apply the retention rules (run nightly from a systemd timer).

Each rule runs in its own unit of work, so a rule that fails leaves the others done and is
tried again the next night; a rule that removed something writes one audit entry in the same
transaction. Prints one line per rule: what, how many, and the cutoff."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from survey.audit.services import Action, record
from survey.db import today, unit_of_work
from survey.extensions import db

logger = logging.getLogger(__name__)


def run_rules(day: dt.date, *, apply: bool) -> list:
    """Every rule with the app's settings, one unit of work each (nothing written in a dry
    run), as `survey.retention.rules.RuleResult`s; a rule that raised is an error line in
    its place (logged with its traceback) and the other rules still run."""
    # Imported here: the rules reach into every feature, which a web worker never needs.
    from survey.retention.rules import RULES, RuleFailed

    results = []
    for setting, rule in RULES:
        days = current_app.config.get(setting) or 0
        started = time.perf_counter()
        try:
            results.append(_run(setting, rule, days, day, apply=apply))
        except Exception as error:  # noqa: BLE001 - one rule's failure must not stop the rest
            logger.exception("retention rule %s failed", setting)
            db.session.rollback()
            results.append(RuleFailed(setting, f"{type(error).__name__}: {error}"))
        results[-1].seconds = time.perf_counter() - started
    return results


def _run(setting: str, rule, days: int, day: dt.date, *, apply: bool):
    if not apply:
        return rule(days, day, apply=False)
    with unit_of_work():
        result = rule(days, day, apply=True)
        if result.count:
            record(
                Action.RETENTION,
                object_type="retention",
                object_id=setting,
                detail={
                    "rule": result.rule,
                    "count": result.count,
                    "days": days,
                    "cutoff": result.cutoff.isoformat(),
                    **result.detail,
                },
            )
    return result


@click.command("maintenance")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@with_appcontext
def maintenance_command(dry_run: bool) -> None:
    """Remove personal data kept longer than the retention settings (*_RETENTION_DAYS).
    Exits with status 1 when a rule failed (the others have run)."""
    results = run_rules(today(), apply=not dry_run)
    for result in results:
        click.echo(("would remove: " if dry_run and result.days else "") + result.line())
    if any(result.failed for result in results):
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(maintenance_command)
