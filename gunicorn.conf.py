"""gunicorn's settings, read by `gunicorn wsgi:app` from the project directory.

Requests are logged by the app, one line each with its endpoint, status, time, request id and
user (survey/logs.py), so gunicorn's own access log, which would repeat them with the raw path
and the client's address, stays off. Every line gunicorn's error log writes goes through
survey.logs.MaskSecrets: personal-link, login-link and reset tokens never reach a log."""

accesslog = None
logger_class = "survey.logs.MaskingLogger"
