"""`survey outbox send` and `survey outbox status`.

`send` is not decorated with `@unit_of_work()`: the sender commits every message on its own
(one unit of work per message, see survey/outbox/sending.py), so a run that stops half-way
keeps what it has sent. Run it from cron or a systemd timer (README), or with `--loop`."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from survey.db import unit_of_work
from survey.outbox import services
from survey.outbox.sending import send_due

outbox_cli = AppGroup("outbox", help="Messages waiting to be sent by e-mail and SMS.")


@outbox_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (OUTBOX_BATCH).")
@click.option("--loop", is_flag=True, help="Keep going: send, wait, send again (stop: SIGTERM).")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="With --loop: seconds to wait when nothing is due.",
)
def send_command(limit: int | None, loop: bool, interval: int) -> None:
    """Send the messages that are due, at MAIL_RATE_PER_MINUTE. Prints sent/retry/failed."""
    stopping = []
    if loop:
        # Finish the message in hand, then stop (systemd stops a service with SIGTERM).
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    batch = limit or current_app.config["OUTBOX_BATCH"]
    while True:
        report = send_due(batch, should_stop=lambda: bool(stopping))
        if report.handled or not loop:
            click.echo(report.summary())
        for note in report.notes:
            click.echo(note, err=True)
        if not loop or stopping:
            return
        if report.handled < batch:
            for _ in range(interval):
                if stopping:
                    return
                time.sleep(1)


@outbox_cli.command("status")
@click.option("--campaign", "campaign_id", type=int, help="Only this campaign's messages.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@unit_of_work()
def status_command(campaign_id: int | None, limit: int) -> None:
    """Messages by state, and the latest that failed or wait to be tried again."""
    summary = services.delivery_summary(campaign_id)
    click.echo(
        "pending {pending}, retrying {retrying}, sent {sent}, failed {failed}".format(**summary)
    )
    for row in services.failures(campaign_id, limit=limit):
        when = ""
        if row["status"] == "retrying":
            when = f" next {row['next_attempt_at']:%Y-%m-%d %H:%M}"
        click.echo(
            f"#{row['id']} {row['kind']} {row['channel']} person {row['person_id']}: "
            f"{row['status']} after {row['attempts']} attempt(s){when}: {row['last_error']}"
        )


@outbox_cli.command("retry")
@click.argument("message_ids", type=int, nargs=-1, required=True)
@unit_of_work()
def retry_command(message_ids: tuple[int, ...]) -> None:
    """Try failed messages again from now."""
    for message_id in message_ids:
        if services.retry(message_id):
            click.echo(f"#{message_id}: queued again")
        else:
            click.echo(f"#{message_id}: not a failed message", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
