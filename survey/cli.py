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
    return create_app(web=info is None or info.data.get("web", True))


class SurveyGroup(FlaskGroup):
    """The Flask CLI, building the app with or without its pages as the command needs, and
    without other packages' plugin commands (the `flask.commands` entry points): the only one
    installed is Flask-Limiter's `limiter`, whose import (rich) and the scan of every
    installed package's entry points cost every `survey` command ~0,1 s. The app's own
    commands are all registered by create_app."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        ctx.ensure_object(ScriptInfo).data.setdefault("web", name in WEB_COMMANDS)
        return super().get_command(ctx, name)

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


main = SurveyGroup(create_app=_create_app, help="Heltid surveys: serve, questionnaires, campaigns.")
