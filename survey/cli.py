"""The `survey` console script: the Flask CLI with this app's commands."""

import click
from flask.cli import FlaskGroup, ScriptInfo

# Commands that serve or look at the pages; every other command gets the app without them
# (create_app(web=False)): `survey report`, and the timers' `outbox send`, `campaign remind`,
# `maintenance` and `backup`, start a third faster.
WEB_COMMANDS = frozenset({"serve", "run", "routes", "shell"})


def _create_app():
    from survey import create_app

    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context is not None else None
    if info is None or "command" not in info.data:  # `survey --help` lists them all
        return create_app()
    command = info.data["command"]
    return create_app(web=command in WEB_COMMANDS, commands=[command])


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


main = SurveyGroup(create_app=_create_app, help="Heltid surveys: serve, questionnaires, campaigns.")
