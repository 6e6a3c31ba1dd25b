"""gunicorn's settings, read by `gunicorn wsgi:app` from the project directory.

The access log is on (to standard output), and every line it and the error log write goes
through survey.logs.MaskSecrets: personal-link, login-link and reset tokens never reach a log."""

accesslog = "-"
logger_class = "survey.logs.MaskingLogger"
