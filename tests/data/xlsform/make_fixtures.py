"""Writes the XLSForm fixtures of tests/questionnaires (run from the repository root):

    .venv/bin/python tests/data/xlsform/make_fixtures.py

- kobo_style.xlsx: a form as KoboToolbox exports it (`$kuid` columns, start/end metadata,
  `label::Norsk bokmål (nb)` columns, `style: pages`), with pages, branching, piping of an
  earlier answer into a label and a table-list Likert grid;
- every_feature.xlsx: every construct the import maps, in the export's own layout, product
  columns included (percent, min/max, prefill, the employee's wording, scales);
- one_language.xlsx: a form in one language (plain `label`) without groups;
- broken_*.xlsx: one mistake each, and unsupported.xlsx with several things the product cannot
  represent.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
NB, NN, EN = "Norsk bokmål (nb)", "Norsk nynorsk (nn)", "English (en)"


def label(base: str, nb: str, nn: str | None = None, en: str | None = None) -> dict[str, str]:
    texts = {f"{base}::{NB}": nb}
    if nn is not None:
        texts[f"{base}::{NN}"] = nn
    if en is not None:
        texts[f"{base}::{EN}"] = en
    return texts


def write(name: str, sheets: dict[str, list[dict[str, str]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        columns: list[str] = []
        for row in rows:
            columns += [column for column in row if column not in columns]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    path = HERE / name
    workbook.save(path)
    return path


def row(kind: str, name: str = "", **cells: str) -> dict[str, str]:
    result = {"type": kind, "name": name}
    result.update(cells)
    return result


# --- kobo_style.xlsx --------------------------------------------------------------------------

ENIG = [
    ("1", "Helt uenig", "Heilt usamd", "Strongly disagree"),
    ("2", "Litt uenig", "Litt usamd", "Somewhat disagree"),
    ("3", "Verken enig eller uenig", "Verken samd eller usamd", "Neither agree nor disagree"),
    ("4", "Litt enig", "Litt samd", "Somewhat agree"),
    ("5", "Helt enig", "Heilt samd", "Strongly agree"),
]


def kobo_style() -> Path:
    def kuid(number: int) -> dict[str, str]:
        return {"$kuid": f"k{number:04x}", "$autoname": ""}

    survey = [
        row("start", "start", **kuid(1)),
        row("end", "end", **kuid(2)),
        row(
            "begin_group",
            "om_deg",
            appearance="field-list",
            **label("label", "Om deg", "Om deg", "About you"),
            **kuid(3),
        ),
        row(
            "text",
            "fornavn",
            required="true",
            **label("label", "Hva heter du?", "Kva heiter du?", "What is your name?"),
            **label("hint", "Bare fornavnet", "Berre førenamnet", "Your first name only"),
            **kuid(4),
        ),
        row(
            "select_one yes_no",
            "deltid",
            required="true",
            **label(
                "label",
                "Hei ${fornavn}! Jobber du deltid?",
                "Hei ${fornavn}! Jobbar du deltid?",
                "Hi ${fornavn}! Do you work part time?",
            ),
            **kuid(5),
        ),
        row(
            "integer",
            "timer",
            required="true",
            relevant="${deltid} = 'yes'",
            constraint=". > 0 and . < 38",
            **label("label", "Hvor mange timer i uka?", "Kor mange timar i veka?", "Hours a week?"),
            **label(
                "constraint_message",
                "Mellom 1 og 37",
                "Mellom 1 og 37",
                "Between 1 and 37",
            ),
            **kuid(6),
        ),
        row("end_group", "", **kuid(7)),
        row(
            "begin_group",
            "arbeidsmiljo",
            appearance="field-list",
            **label("label", "Arbeidsmiljø", "Arbeidsmiljø", "Work environment"),
            **kuid(8),
        ),
        row(
            "begin_group",
            "samarbeid",
            appearance="table-list",
            **label(
                "label",
                "Hvor enig er du, ${fornavn}?",
                "Kor samd er du, ${fornavn}?",
                "How much do you agree, ${fornavn}?",
            ),
            **kuid(9),
        ),
        row(
            "select_one enig",
            "samarbeid_kolleger",
            required="true",
            **label(
                "label",
                "Jeg samarbeider godt med kollegene mine",
                "Eg samarbeider godt med kollegane mine",
                "I work well with my colleagues",
            ),
            **kuid(10),
        ),
        row(
            "select_one enig",
            "samarbeid_leder",
            required="true",
            **label(
                "label",
                "Jeg får støtte fra lederen min",
                "Eg får støtte frå leiaren min",
                "I get support from my manager",
            ),
            **kuid(11),
        ),
        row("end_group", "", **kuid(12)),
        row(
            "select_multiple vakter or_other",
            "vakter",
            **label("label", "Hvilke vakter går du?", "Kva vakter går du?", "Which shifts?"),
            **kuid(13),
        ),
        row(
            "text",
            "kommentar",
            appearance="multiline",
            **label("label", "Noe mer?", "Noko meir?", "Anything else?"),
            **kuid(14),
        ),
        row("end_group", "", **kuid(15)),
    ]
    choices = [
        {"list_name": "yes_no", "name": "yes", **label("label", "Ja", "Ja", "Yes")},
        {"list_name": "yes_no", "name": "no", **label("label", "Nei", "Nei", "No")},
    ]
    choices += [
        {"list_name": "enig", "name": value, **label("label", nb, nn, en)}
        for value, nb, nn, en in ENIG
    ]
    choices += [
        {"list_name": "vakter", "name": "dag", **label("label", "Dag", "Dag", "Day")},
        {"list_name": "vakter", "name": "kveld", **label("label", "Kveld", "Kveld", "Evening")},
        {"list_name": "vakter", "name": "natt", **label("label", "Natt", "Natt", "Night")},
    ]
    settings = [
        {
            "form_title": "Deltid og arbeidsmiljø",
            "version": "2",
            "default_language": NB,
            "style": "pages",
        }
    ]
    return write("kobo_style.xlsx", {"survey": survey, "choices": choices, "settings": settings})


# --- every_feature.xlsx -----------------------------------------------------------------------


def every_feature() -> Path:
    bind = "bind::heltid:"
    survey = [
        row(
            "begin_group",
            "stilling",
            appearance="field-list",
            **label("label", "Stillingen din", "Stillinga di", "Your position"),
            **label("label_employee", "Din stilling", "Di stilling", "Your own position"),
        ),
        row(
            "note",
            "info",
            **label("label", "Noen spørsmål om stillingen.", "Nokre spørsmål.", "Some questions."),
        ),
        row(
            "select_one enhet",
            "enhet",
            required="yes",
            **{f"{bind}prefill": "enhet"},
            **label("label", "Hvor jobber du?", "Kvar jobbar du?", "Where do you work?"),
            **label("hint", "Velg enheten", "Vel eininga", "Choose the unit"),
        ),
        row(
            "decimal",
            "stillingsprosent",
            required="yes",
            constraint=". > 0",
            **{f"{bind}type": "percent", f"{bind}prefill": "stillingsprosent"},
            **label("label", "Hvor stor er stillingen din?", "Kor stor?", "How large?"),
            **label("constraint_message", "Større enn 0", "Større enn 0", "Greater than 0"),
            **label("label_employee", "Stillingen din", "Stillinga di", "Your position"),
            **label("hint_employee", "I prosent", "I prosent", "As a percentage"),
            **label("constraint_message_employee", "Over 0", "Over 0", "Above 0"),
        ),
        row(
            "select_one yes_no",
            "kvalifisert",
            required="yes",
            **label("label", "Er hen kvalifisert?", "Er hen kvalifisert?", "Qualified?"),
            **label("label_employee", "Vurderingen", "Vurderinga", "The assessment"),
            **label(
                "statement_employee",
                "yes: Du er kvalifisert.\nno: Du er ikke kvalifisert.",
                "yes: Du er kvalifisert.\nno: Du er ikkje kvalifisert.",
                "yes: You are qualified.\nno: You are not qualified.",
            ),
        ),
        row("end_group"),
        row(
            "begin_group",
            "onske",
            appearance="field-list",
            relevant="${stillingsprosent} < 100",
            **label("label", "Ønsket ditt", "Ønsket ditt", "Your wish"),
        ),
        row(
            "select_one yrke or_other",
            "yrke",
            required="${stillingsprosent} < 50",
            **label("label", "Hva jobber du som?", "Kva jobbar du som?", "Your job?"),
        ),
        row(
            "select_multiple vakter",
            "vakter",
            relevant="${yrke} != 'lege'",
            constraint="count-selected(.) <= 2",
            **label("label", "Hvilke vakter vil du ha?", "Kva vakter?", "Which shifts?"),
        ),
        row(
            "integer",
            "helger",
            **{f"{bind}min": "0", f"{bind}max": "52"},
            **label("label", "Hvor mange helger?", "Kor mange helgar?", "How many weekends?"),
        ),
        row(
            "decimal",
            "timer",
            **{f"{bind}min": "0.5"},
            **label("label", "Timer per vakt", "Timar per vakt", "Hours per shift"),
        ),
        row(
            "date",
            "fra_dato",
            **label("label", "Fra når, ${yrke}?", "Frå når?", "From when?"),
        ),
        row(
            "text",
            "kort",
            **{f"{bind}max_length": "80"},
            **label("label", "Ett ord", "Eitt ord", "One word"),
        ),
        row(
            "text",
            "lang",
            appearance="multiline",
            **label("label", "Fortell", "Fortel", "Tell us"),
        ),
        row("end_group"),
        row(
            "begin_group",
            "vurdering",
            appearance="field-list",
            **label("label", "Vurdering", "Vurdering", "Assessment"),
        ),
        row(
            "select_one skala_1_5",
            "trivsel",
            required="yes",
            appearance="likert",
            **label("label", "Jeg trives", "Eg trivst", "I am happy"),
        ),
        row(
            "select_one skala_grad",
            "utvikling",
            appearance="likert",
            **label("label", "Utvikler du deg?", "Utviklar du deg?", "Do you develop?"),
        ),
        row(
            "select_one tilfreds",
            "lonn",
            appearance="likert",
            **label("label", "Lønna", "Løna", "The pay"),
        ),
        row(
            "begin_group",
            "ledelse",
            appearance="table-list",
            relevant="${trivsel} >= 3",
            **label("label", "Om ledelsen", "Om leiinga", "About management"),
            **label("hint", "Ett svar per linje", "Eitt svar per linje", "One answer a line"),
        ),
        row(
            "select_one skala_1_6",
            "ledelse_stotte",
            required="yes",
            **label("label", "Jeg får støtte", "Eg får støtte", "I get support"),
        ),
        row(
            "select_one skala_1_6",
            "ledelse_info",
            required="yes",
            **label("label", "Jeg får informasjon", "Eg får informasjon", "I am informed"),
        ),
        row("end_group"),
        row("end_group"),
    ]
    agree = {1: ("Helt uenig", "Heilt usamd", "Strongly disagree")}
    choices = [
        {"list_name": "enhet", "name": "hjemme", **label("label", "Hjemmetjenesten")},
        {
            "list_name": "enhet",
            "name": "sykehjem",
            **label("label", "Sykehjem", "Sjukeheim", "Nursing home"),
        },
        {"list_name": "yes_no", "name": "yes", **label("label", "Ja", "Ja", "Yes")},
        {"list_name": "yes_no", "name": "no", **label("label", "Nei", "Nei", "No")},
        {
            "list_name": "yrke",
            "name": "sykepleier",
            **label("label", "Sykepleier", "Sjukepleiar", "Nurse"),
            "label_employee_nb": "Jeg er sykepleier",
            "label_employee_nn": "Eg er sjukepleiar",
            "label_employee_en": "I am a nurse",
        },
        {"list_name": "yrke", "name": "lege", **label("label", "Lege", "Lege", "Doctor")},
        {"list_name": "vakter", "name": "dag", **label("label", "Dag", "Dag", "Day")},
        {"list_name": "vakter", "name": "natt", **label("label", "Natt", "Natt", "Night")},
    ]
    for points, list_name in ((5, "skala_1_5"), (6, "skala_1_6")):
        for point in range(1, points + 1):
            if point in (1, points):
                words = agree[1] if point == 1 else ("Helt enig", "Heilt samd", "Strongly agree")
                texts = label("label", *(f"{point} – {word}" for word in words))
            else:
                texts = label("label", str(point), str(point), str(point))
            choices.append({"list_name": list_name, "name": str(point), **texts})
    for value, nb, nn, en in (
        ("4", "I stor grad", "I stor grad", "To a great extent"),
        ("3", "I noen grad", "I nokon grad", "To some extent"),
        ("2", "I liten grad", "I liten grad", "To a small extent"),
        ("1", "Ikke i det hele tatt", "Ikkje i det heile", "Not at all"),
    ):
        choices.append({"list_name": "skala_grad", "name": value, **label("label", nb, nn, en)})
    for value, nb in (("1", "Misfornøyd"), ("2", "Middels"), ("3", "Fornøyd")):
        choices.append({"list_name": "tilfreds", "name": value, **label("label", nb)})
    settings = [
        {
            "form_title": "Alt som kan importeres",
            "form_id": "every_feature",
            "version": "4",
            "default_language": NB,
            "namespaces": 'heltid="https://heltid.no/xlsform"',
            "default_mode": "identified",
            "title_nn": "Alt som kan importerast",
            "title_en": "Everything that can be imported",
            "description_nb": "Prøveskjema",
            "description_nn": "Prøveskjema",
            "description_en": "Test form",
        }
    ]
    return write("every_feature.xlsx", {"survey": survey, "choices": choices, "settings": settings})


# --- one_language.xlsx ------------------------------------------------------------------------


def one_language() -> Path:
    survey = [
        {"type": "text", "name": "navn", "label": "Navn", "required": "yes"},
        {"type": "select_one ja_nei", "name": "fast", "label": "Fast ansatt?"},
    ]
    choices = [
        {"list_name": "ja_nei", "name": "ja", "label": "Ja"},
        {"list_name": "ja_nei", "name": "nei", "label": "Nei"},
    ]
    settings = [{"form_title": "Enkelt skjema", "form_id": "enkelt"}]
    return write("one_language.xlsx", {"survey": survey, "choices": choices, "settings": settings})


# --- broken and unsupported -------------------------------------------------------------------


def page(*rows: dict[str, str]) -> list[dict[str, str]]:
    return [
        row("begin_group", "side", **label("label", "Side", "Side", "Page")),
        *rows,
        row("end_group"),
    ]


YES_NO = [
    {"list_name": "yes_no", "name": "yes", **label("label", "Ja", "Ja", "Yes")},
    {"list_name": "yes_no", "name": "no", **label("label", "Nei", "Nei", "No")},
]


def broken() -> list[Path]:
    question = row("text", "navn", **label("label", "Navn", "Namn", "Name"))
    return [
        write(
            "broken_missing_choices.xlsx",
            {
                "survey": page(
                    question, row("select_one yrke", "yrke", **label("label", "Yrke", "Yrke"))
                ),
                "choices": YES_NO,
            },
        ),
        write(
            "broken_unknown_type.xlsx",
            {"survey": page(question, row("integr", "alder", **label("label", "Alder")))},
        ),
        write(
            "broken_bad_expression.xlsx",
            {
                "survey": page(
                    question,
                    row("text", "mer", relevant="${navn} = ", **label("label", "Mer")),
                )
            },
        ),
        write(
            "broken_duplicate_name.xlsx",
            {"survey": page(question, row("integer", "navn", **label("label", "Alder")))},
        ),
        write(
            "broken_language_without_nb.xlsx",
            {
                "survey": page(
                    row(
                        "text",
                        "navn",
                        **{"label::English (en)": "Name", "hint::Norsk nynorsk (nn)": "Namn"},
                    )
                )
            },
        ),
        write("broken_no_survey_sheet.xlsx", {"choices": YES_NO}),
    ]


def unsupported() -> Path:
    survey = [
        row("start", "start"),
        *page(
            row("text", "navn", **label("label", "Navn")),
            row("calculate", "dobbel", calculation="${navn}"),
            row("geopoint", "sted", **label("label", "Hvor er du?")),
            row("select_one fylke", "fylke", **label("label", "Fylke")),
            row(
                "select_one kommune",
                "kommune",
                choice_filter="fylke = ${fylke}",
                **label("label", "Kommune"),
            ),
            row("begin_repeat", "barn", **label("label", "Barn")),
            row("text", "barn_navn", **label("label", "Barnets navn")),
            row("end_repeat"),
            row("text", "bilde", image="logo.png", **label("label", "Med bilde")),
            row("time", "klokka", **label("label", "Når?")),
            row("begin_group", "indre", **label("label", "Indre")),
            row("integer", "tall", default="3", **label("label", "Tall")),
            row("end_group"),
        ),
    ]
    choices = [
        {"list_name": "fylke", "name": "agder", **label("label", "Agder")},
        {"list_name": "kommune", "name": "arendal", "fylke": "agder", **label("label", "Arendal")},
    ]
    return write("unsupported.xlsx", {"survey": survey, "choices": choices})


def main() -> None:
    paths = [kobo_style(), every_feature(), one_language(), *broken(), unsupported()]
    for path in paths:
        sys.stdout.write(f"{path.relative_to(HERE.parents[2])}\n")


if __name__ == "__main__":
    main()
