"""The `survey` console script: the Flask CLI with this app's commands."""

from flask.cli import FlaskGroup


def _create_app():
    from survey import create_app

    return create_app()


class SurveyGroup(FlaskGroup):
    """The Flask CLI without other packages' plugin commands (the `flask.commands` entry
    points): the only one installed is Flask-Limiter's `limiter`, whose import (rich) and the
    scan of every installed package's entry points cost every `survey` command, timers
    included, ~0,1 s. The app's own commands are all registered by create_app."""

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


main = SurveyGroup(create_app=_create_app, help="Heltid surveys: serve, questionnaires, campaigns.")
