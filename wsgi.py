"""WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Production unless the environment says otherwise (SURVEY_ENV=development): the app then
refuses to start without SECRET_KEY from the environment (deploy/heltid.env)."""

import os

os.environ.setdefault("SURVEY_ENV", "production")

from survey import create_app  # noqa: E402  (after the environment default above)

app = create_app()
