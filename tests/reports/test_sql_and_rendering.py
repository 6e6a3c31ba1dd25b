"""SQL classification against classify() of the counted answers, the KS PAI 2017 table,
and the asset-only fetcher."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import subprocess

import pytest
from sqlalchemy import select

from reports.render import AssetsOnlyFetcher, html_to_pdf
from survey.accounts.models import Person
from survey.classification import classify, load_definitions
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from survey.living.relevance import counted
from survey.reporting.classification_sql import STATUS_CODES
from survey.reporting.facts import Settings, classified

CHOICES = {
    "onsket_endring": ["storre", "mindre", "samme", "x", 1, ["storre"]],
    "ansettelsesform": ["fast", "midlertidig", None],
    "villig_helger": ["som_na", "hinkehelg", "hver_3", "oftere", "x"],
    "villig_andre_enheter": [
        "nei",
        "samme_avdeling",
        "annen_enhet",
        "bemanningspool",
        "kombijobbing",
    ],
}
YES_NO = [
    "onsket_fast",
    "villig_langvakter",
    "tar_ledige_vakter",
    "ubundet_tid",
    "venter_barnehageplass",
    "onske_skriftlig",
    "kvalifisert",
    "forsokt_flere_timer",
    "leder",
]


def random_record(rng: random.Random) -> dict:
    record = {}
    if rng.random() < 0.9:
        record["stillingsprosent"] = rng.choice(
            [20, 50, 75, 79.9, 80, 90, 90.5, 99, 100, 110, "50", True]
        )
    for field, values in CHOICES.items():
        if rng.random() < 0.8:
            record[field] = rng.choice(values)
    for field in YES_NO:
        if rng.random() < 0.7:
            record[field] = rng.choice(["yes", "no", True, False, "ja", 1])
    if rng.random() < 0.7:
        record["oppstart_uker"] = rng.choice([0, 3, 4, 5, 12, 13, 14, "2", None])
    if rng.random() < 0.5:
        record["arsaker_deltid"] = rng.sample(
            ["studier", "pensjon", "helse", 'x,"studier"'], rng.randint(0, 2)
        )
    return record


def store_records(records: list[dict], name: str = "P") -> None:
    """Each record as one person's living document in force from 1 January 2025 (ansattnummer
    R0, R1, …), committed."""
    for index, record in enumerate(records):
        person = Person(name=f"{name}{index}", ansattnummer=f"R{index}")
        db.session.add(person)
        db.session.flush()
        services.save_revision(
            services.document_for(person),
            record,
            base=0,
            author=None,
            author_role="import",
            source=Source.IMPORT,
            effective_on=dt.date(2025, 1, 1),
        )
    db.session.commit()


@pytest.mark.parametrize("threshold", ["100", ">= 80", "> 90"])
def test_sql_status_equals_classify_for_every_profile(app, threshold):
    rng = random.Random(threshold)
    records = [random_record(rng) for _ in range(250)]
    with app.app_context():
        store_records(records)
        settings = Settings.from_definitions(load_definitions(), threshold=threshold)
        cte = classified(dt.date(2025, 6, 1), None, settings)
        c = cte.c
        rows = db.session.execute(
            select(Person.ansattnummer, *(c[f"st_{p.id}"] for p in settings.profiles)).join(
                cte, c.person_id == Person.id
            )
        ).all()
        assert len(rows) == len(records)
        for number, *codes in rows:
            record = records[int(number[1:])]
            for profile, code in zip(settings.profiles, codes, strict=True):
                # Both count only the answers the guide asks under the others (issue #10, 13).
                expected = classify(counted(record), profile, heltid_threshold=threshold).status
                assert code == STATUS_CODES[expected], (record, profile.id)


def _variants(definitions) -> tuple:
    """Profiles the shipped definitions do not have: flexibility counts, a position
    threshold, a start in part weeks, and criteria two profiles share with other parameters."""
    songdalen, drammen, surnadal = (
        definitions.profile(p) for p in ("songdalen", "drammen", "surnadal")
    )
    return (
        dataclasses.replace(songdalen.with_parameters(minimum_flex_count=2), id="flex2"),
        dataclasses.replace(
            songdalen.with_parameters(
                minimum_flex_count=2, flex_items=("langvakter", "kombijobbing", "ledige_vakter")
            ),
            id="flex2of3",
        ),
        dataclasses.replace(songdalen.with_parameters(minimum_flex_count=5), id="flex5"),
        dataclasses.replace(
            drammen.with_parameters(
                position_threshold=75, requires_across_units=True, start_within_weeks=12.5
            ),
            id="under75",
        ),
        dataclasses.replace(
            surnadal.with_parameters(position_threshold=79.9, requires_part_time=False),
            id="under79_9",
        ),
        dataclasses.replace(surnadal.with_parameters(exceptions=()), id="nowaiting"),
    )


@pytest.mark.parametrize("threshold, statuses_only", [("100", False), ("> 90", True)])
def test_sql_status_equals_classify_for_more_profiles(app, threshold, statuses_only):
    """As above, for parameters the shipped profiles leave unused, side by side with the
    shipped profiles whose criteria the statement writes once for all; and the trend's
    narrower rows (statuses_only) classify alike."""
    rng = random.Random(f"variants {threshold}")
    records = [random_record(rng) for _ in range(250)]
    with app.app_context():
        store_records(records)
        definitions = load_definitions()
        shipped = Settings.from_definitions(definitions, threshold=threshold)
        profiles = (*shipped.profiles, *_variants(definitions))
        settings = dataclasses.replace(shipped, profiles=profiles)
        cte = classified(dt.date(2025, 6, 1), None, settings, statuses_only=statuses_only)
        c = cte.c
        rows = db.session.execute(
            select(Person.ansattnummer, *(c[f"st_{p.id}"] for p in profiles)).join(
                cte, c.person_id == Person.id
            )
        ).all()
        assert len(rows) == len(records)
        for number, *codes in rows:
            record = counted(records[int(number[1:])])
            for profile, code in zip(profiles, codes, strict=True):
                expected = classify(record, profile, heltid_threshold=threshold).status
                assert code == STATUS_CODES[expected], (record, profile.id)


def test_the_heltid_figures_are_core_statements(app):
    """The report's statements name tables, not mapped classes: the ORM would otherwise
    compile an entity for each of their hundreds of columns, once per process."""
    from sqlalchemy import event

    from survey.reporting.heltid import first_effective_on, heltid_figures, trend

    statements = []

    def seen(state):
        statements.append(state.is_orm_statement)

    with app.app_context():
        store_records([random_record(random.Random(7)) for _ in range(5)])
        settings = Settings.from_definitions(load_definitions())
        session = db.session()
        event.listen(session, "do_orm_execute", seen)
        try:
            day = dt.date(2025, 6, 1)
            figures = heltid_figures(day, None, settings)
            trend([dt.date(2024, 12, 31), day], [1], settings)
            first_effective_on([1])
        finally:
            event.remove(session, "do_orm_execute", seen)
    assert figures.total.n == 5
    assert statements and not any(statements)


def test_ks_pai_2017_distribution_is_reproduced(app, runner, tmp_path):
    from tests.reports.synthetic import PAI_2017, create_municipality

    with app.app_context():
        create_municipality(1000, 10, [2017], shares=PAI_2017, leader_share=0.0)
    out = tmp_path / "pai.pdf"
    result = runner.invoke(
        args=["report", "heltid", "--as-of", "2017-12-31", "--lang", "nb", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True
    ).stdout
    text = " ".join(text.replace("\u00a0", " ").split())
    for share in PAI_2017:
        assert f"{share:.1f} %".replace(".", ",") in text, share
    from survey.reporting.facts import Settings as S
    from survey.reporting.heltid import heltid_figures

    with app.app_context():
        average = heltid_figures(
            dt.date(2017, 12, 31), None, S.from_definitions(load_definitions())
        ).total.average_stilling
    assert abs(average - 66.1) < 1.0


def test_fetcher_refuses_everything_but_our_assets(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    html = (
        '<html lang="en"><head><title>T</title><link rel="stylesheet" href="report.css">'
        f'<link rel="stylesheet" href="{secret.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><p>Hello</p><img src="file:///etc/hostname"><img src="data:image/png;base64,iVBORw0KGgo="></body></html>'
    )
    fetcher = AssetsOnlyFetcher()
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert secret.as_uri() in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    assert "file:///etc/hostname" in fetcher.refused
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts and all("Report-Sans" in line and " yes yes " in line for line in fonts)


def test_archival_variant_has_pdfa_metadata_and_embedded_fonts(tmp_path):
    from reports import PdfMetadata, render_html
    from reports.model import Paragraph, Report, Section

    report = Report("Tittel", "Undertittel", (Section("Del", (Paragraph("Tekst æøå"),)),), "–")
    html = render_html(
        "report.html", {"report": report}, "nb", PdfMetadata("Tittel", "Kommunen", "nb")
    )
    path = tmp_path / "a.pdf"
    path.write_bytes(html_to_pdf(html, archival=True))
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True).stdout
    assert 'pdfaid:part="1"' in meta and 'pdfaid:conformance="B"' in meta
    assert "Tittel" in meta and "Kommunen" in meta
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)
