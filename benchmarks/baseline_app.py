"""Baseline for benchmarks/answer_flow.py: the least a Flask + SQLAlchemy app can do per submit.

POST /items inserts one row (SQLite: WAL and the same pragmas as survey/db.py; PostgreSQL through
psycopg 3, as the app; the same Flask-SQLAlchemy engine options as create_app gives either) and
redirects to GET /items/<id>, which reads the row and renders one small Jinja template. No sessions, CSRF, i18n or questionnaire engine: the gap
between this and the survey app is what the app itself costs.

    BASELINE_DATABASE_URL=sqlite:////tmp/b.sqlite3 python benchmarks/baseline_app.py init
    BASELINE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench python … init
    BASELINE_DATABASE_URL=... gunicorn --pythonpath benchmarks baseline_app:app
"""

from __future__ import annotations

import os
import sys

from flask import Flask, abort, redirect, render_template, request, url_for
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TEMPLATES = {
    "item.html": """<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Lagret {{ item.id }}</title></head>
<body>
  <main>
    <h1>Lagret</h1>
    <p>Svar nummer {{ item.id }}: {{ item.value }}</p>
    <form method="post" action="{{ url_for('create') }}">
      <input type="text" name="value" value="">
      <button type="submit">Neste</button>
    </form>
  </main>
</body>
</html>
""",
}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """The same pragmas as survey/db.py."""
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ.get("BASELINE_DATABASE_URL", "sqlite:////tmp/baseline.sqlite3")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]  # as survey.config
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # As create_app: a ping before every checkout on a server database, none on a file.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = (
        {} if url.startswith("sqlite") else {"pool_pre_ping": True}
    )
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)

    @app.post("/items")
    def create():
        item = Item(value=request.form.get("value", "")[:200])
        db.session.add(item)
        db.session.commit()
        return redirect(url_for("show", item_id=item.id))

    @app.get("/items/<int:item_id>")
    def show(item_id: int):
        item = db.session.get(Item, item_id)
        if item is None:
            abort(404)
        return render_template("item.html", item=item)

    return app


app = create_app()


if __name__ == "__main__":
    if sys.argv[1:] == ["init"]:
        with app.app_context():
            db.create_all()
        print("baseline table created")
    else:
        sys.exit("usage: baseline_app.py init")
