"""Living documents as they stood on a day, as rows for exports and for classification."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey.tabular import Sheet, csv_bytes
from survey.tabular import write_xlsx as write_sheets

# The columns before the data fields. The person's unit on the roster is `registrert_enhet`:
# `enhet` is a question in heltid-arlig.yaml (the unit the employee says they work in).
PERSON_COLUMNS = (
    "ansattnummer",
    "navn",
    "registrert_enhet",
    "revisjon",
    "gjelder_fra",
    "sist_bekreftet",
)


@dataclass(frozen=True)
class State:
    ansattnummer: str
    name: str
    unit: str
    number: int
    effective_on: dt.date
    confirmed_on: dt.date | None
    data: dict[str, Any]


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def states(as_of: dt.date | None, unit_ids: set[int] | None = None) -> list[State]:
    """Every person's living document as it stood on `as_of` (None: the current revision),
    sorted by ansattnummer. People whose document had no revision in force are left out;
    with `unit_ids`, only people registered in those units."""
    from sqlalchemy import select

    from survey.accounts.models import Person
    from survey.extensions import db
    from survey.living.models import Confirmation, ConfirmationKind, LivingDocument
    from survey.living.services import current_revision, state_on

    confirmed: dict[int, list[dt.datetime]] = {}
    for document_id, at in db.session.execute(
        select(Confirmation.document_id, Confirmation.at).where(
            Confirmation.kind == ConfirmationKind.CONFIRMED
        )
    ):
        confirmed.setdefault(document_id, []).append(as_utc(at))
    cutoff = None
    if as_of is not None:
        cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    states = []
    rows = db.session.execute(
        select(LivingDocument, Person).join(Person, Person.id == LivingDocument.person_id)
    )
    for document, person in rows:
        if unit_ids is not None and person.unit_id not in unit_ids:
            continue
        revision = current_revision(document) if as_of is None else state_on(document, as_of)
        if revision is None:
            continue
        moments = [at for at in confirmed.get(document.id, []) if cutoff is None or at < cutoff]
        states.append(
            State(
                ansattnummer=person.ansattnummer or "",
                name=person.name,
                unit=person.unit.code if person.unit else "",
                number=revision.number,
                effective_on=revision.effective_on,
                confirmed_on=max(moments).date() if moments else None,
                data=dict(revision.data or {}),
            )
        )
    states.sort(key=lambda state: (state.ansattnummer == "", state.ansattnummer, state.name))
    return states


def export_rows(states: Sequence[State]) -> tuple[list[str], list[dict[str, Any]]]:
    fields = sorted({key for state in states for key in state.data})
    # A data field named like a person column would make two columns with one name.
    names = {field: f"data.{field}" if field in PERSON_COLUMNS else field for field in fields}
    rows = []
    for state in states:
        row: dict[str, Any] = {
            "ansattnummer": state.ansattnummer,
            "navn": state.name,
            "registrert_enhet": state.unit,
            "revisjon": state.number,
            "gjelder_fra": state.effective_on.isoformat(),
            "sist_bekreftet": state.confirmed_on.isoformat() if state.confirmed_on else None,
        }
        for field in fields:
            row[names[field]] = state.data.get(field)
        rows.append(row)
    return [*PERSON_COLUMNS, *(names[field] for field in fields)], rows


def cell(value: Any) -> Any:
    """A value for a spreadsheet cell: select_multiple lists joined with ';'."""
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _table(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [list(columns), *([cell(row[column]) for column in columns] for row in rows)]


def write_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """CSV for Norwegian Excel (see survey.tabular)."""
    return csv_bytes(_table(columns, rows))


def write_xlsx(columns: Sequence[str], rows: Sequence[dict[str, Any]], target: Any) -> None:
    """Write a workbook to a path or a binary file object."""
    write_sheets(
        [Sheet("levende dokumenter", _table(columns, rows), bold_rows={0}, freeze="A2")], target
    )
