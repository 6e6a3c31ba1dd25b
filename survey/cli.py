"""The `survey` console script: the Flask CLI with this app's commands."""

from flask.cli import FlaskGroup


def _create_app():
    from survey import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Heltid surveys: serve, questionnaires, campaigns.")
