"""The heltid report: figures from `survey.reporting.heltid` as sections of tables and charts
in the report's language, with small cells suppressed. Returns `reports.model.Report`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from reports import charts
from reports.formatting import count as fmt_count
from reports.formatting import decimal as fmt_decimal
from reports.formatting import percent as fmt_percent
from reports.model import (
    COUNT,
    DECIMAL,
    PERCENT,
    TEXT,
    Cell,
    Chart,
    Facts,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
)
from survey.accounts.models import Unit
from survey.classification import classify
from survey.classification.wording import groups_text
from survey.extensions import db
from survey.reporting.facts import BIN_LIMITS, REASONS, TILTAK, Settings
from survey.reporting.heltid import (
    FLEX_WAYS,
    Counts,
    HeltidFigures,
    TrendPoint,
    first_effective_on,
    heltid_figures,
    trend,
    trend_days,
)
from survey.reporting.labels import choice_labels
from survey.reporting.scope import Scope
from survey.reporting.suppression import Suppressor, percent

STATUS_ORDER = ("full_time", "voluntary", "involuntary", "not_enough_data")


def _unit_names() -> dict[int, str]:
    return dict(db.session.execute(select(Unit.id, Unit.name)).all())


def _status_labels() -> dict[str, str]:
    return {
        "full_time": _("Full time"),
        "voluntary": _("Voluntary part time"),
        "involuntary": _("Involuntary part time"),
        "not_enough_data": _("Not enough data"),
    }


def _bin_labels(lang: str) -> list[str]:
    labels = []
    lower = 0
    for limit in BIN_LIMITS:
        labels.append(f"{fmt_decimal(lower, lang, 0)}–{fmt_decimal(limit - 0.1, lang, 1)} %")
        lower = limit
    labels.append("100 %")
    return labels


def _tiltak_labels() -> dict[str, str]:
    return {
        "helger": _("More weekends"),
        "langvakter": _("Long shifts"),
        "andre_enheter": _("Other units or a staffing pool"),
        "kombijobbing": _("Kombijobbing (two units)"),
        "kveldsvakter": _("Evening shifts"),
        "nattevakter": _("Night shifts"),
        "ledige_vakter": _("Vacant and extra shifts"),
        "ubundet_tid": _("Unscheduled time (ubundet tid)"),
        "fagbrev": _("Fagbrev (assistants)"),
        "oppstart_4_uker": _("Can start within 4 weeks"),
    }


def _threshold_text(settings: Settings, lang: str) -> str:
    value = fmt_decimal(settings.threshold.value, lang, 0)
    if settings.threshold.operator == ">":
        return _("over %(value)s %%", value=value)
    return _("%(value)s %% or more", value=value)


def status_suppressor(counts: Counts, profiles, minimum: int) -> Suppressor:
    """The classification's cells: per profile every status, adding up to the mapped (`n`);
    a status is the key (profile id, status)."""
    s = Suppressor(minimum)
    n = s.cell("n", counts.mapped)
    for profile in profiles:
        statuses = counts.statuses.get(profile.id, dict.fromkeys(STATUS_ORDER, 0))
        cells = [s.cell((profile.id, status), statuses[status]) for status in STATUS_ORDER]
        s.add_constraint([*cells, n])
    return s


def arsverk_suppressor(figures: HeltidFigures, minimum: int) -> Suppressor:
    """Desired extra årsverk (`extra`), the people wanting more (`wanting`) and the mapped
    (`n`), in total and per unit (key, unit id). Årsverk per unit add up to the total: a
    hidden unit must not be derivable."""
    total = figures.total
    u = Suppressor(minimum)
    unit_keys = []
    for unit_id, counts in figures.by_unit.items():
        key = u.cell(
            ("extra", unit_id), counts.extra_arsverk, people=counts.change.get("storre", 0)
        )
        unit_keys.append(key)
        u.cell(("wanting", unit_id), counts.change.get("storre", 0))
        u.cell(("n", unit_id), counts.mapped)
    u.cell("extra", total.extra_arsverk, people=total.change.get("storre", 0))
    u.add_constraint([*unit_keys, "extra"])
    u.cell("wanting", total.change.get("storre", 0))
    u.add_constraint([*(("wanting", i) for i in figures.by_unit), "wanting"])
    u.cell("n", total.mapped)
    u.add_constraint([*(("n", i) for i in figures.by_unit), "n"])
    return u


def trend_point_suppressor(point: TrendPoint, active: str, minimum: int) -> Suppressor:
    """One day of the trend: the involuntary (`inv`) under the `active` profile and the rest
    of the `n` mapped; those in heltid (`heltid`) of those with a position size (`ns`)."""
    s = Suppressor(minimum)
    n = s.cell("n", point.n)
    s.cell("inv", point.involuntary.get(active, 0))
    s.cell("rest", point.n - point.involuntary.get(active, 0))
    s.add_constraint(["inv", "rest", n])
    s.cell("heltid", point.heltid)
    s.cell("ns", point.n_stilling)
    s.cell("deltid", point.n_stilling - point.heltid)
    s.add_constraint(["heltid", "deltid", "ns"])
    return s


class _Builder:
    def __init__(self, figures: HeltidFigures, points, lang, minimum, scope_label, names):
        self.figures = figures
        self.points = points
        self.lang = lang
        self.minimum = minimum
        self.scope_label = scope_label
        self.names = names
        self.settings = figures.settings
        self.total = figures.total

    # --- helpers -------------------------------------------------------------------------

    def count(self, value) -> Cell:
        return Cell(value, COUNT)

    def share(self, part, whole) -> Cell:
        """part as a percentage of whole; «–» without the suppression mark when whole is
        a shown 0 (a share of nobody is not a hidden figure)."""
        return Cell(percent(part, whole), PERCENT, no_base=whole == 0)

    def average(self, counts, hidden: bool = False) -> Cell:
        """The average position size of `counts` (Counts or TrendPoint), hidden for fewer
        than the minimum; «–» without the mark when nobody has a stillingsprosent."""
        shown = not hidden and counts.n_stilling >= self.minimum
        return Cell(
            counts.average_stilling if shown else None, PERCENT, no_base=counts.n_stilling == 0
        )

    def whole(self, n) -> Cell:
        """The 100 % of a total row."""
        return Cell(100.0 if n else None, PERCENT, no_base=n == 0)

    def text(self, value) -> Cell:
        return Cell(value, TEXT)

    def chart_bars(self, labels, percents, counts, title, caption) -> Chart:
        bars = [
            charts.Bar(
                label,
                value,
                fmt_percent(value, self.lang)
                + ("" if count is None else f" ({fmt_count(count, self.lang)})"),
            )
            for label, value, count in zip(labels, percents, counts, strict=True)
        ]
        return Chart(charts.horizontal_bars(bars, title=title), caption)

    def n_caption(self, text: str, n) -> str:
        return f"{text} (N = {fmt_count(n, self.lang)})"

    def coverage(self) -> str:
        """«Mapped 228 of 1 000 counted»: whom the figures from living documents describe."""
        return _(
            "Mapped %(mapped)s of %(n)s counted: wishes, voluntary and involuntary part time, "
            "willingness and reasons are about them.",
            mapped=fmt_count(self.total.mapped, self.lang),
            n=fmt_count(self.total.n, self.lang),
        )

    # --- sections ------------------------------------------------------------------------

    def population(self) -> Section:
        figures, settings, lang = self.figures, self.settings, self.lang
        counts = figures.excluded
        left_out = groups_text(settings.excluded, counts, lang, lambda n: fmt_count(n, lang))
        counted_groups = groups_text(
            [group for group in settings.exclusions if group not in settings.excluded],
            counts,
            lang,
            lambda n: fmt_count(n, lang),
        )
        criteria = [
            criterion.label.get(lang)
            for criterion in classify(
                {}, settings.active, heltid_threshold=settings.threshold
            ).criteria
        ]
        missing_stilling = self.total.n - self.total.n_stilling
        items = [
            (_("Scope"), self.scope_label),
            (_("As of"), fmt_date(figures.as_of, lang)),
            (
                _("Who is counted"),
                _(
                    "Employees on the roster or with a living document in force on this day: "
                    "%(in_scope)s, of whom %(excluded)s are left out and %(n)s counted. "
                    "Position sizes are counted for all of them, from the living document or "
                    "else the roster; people without a living document cannot be placed in "
                    "a left-out group.",
                    in_scope=fmt_count(figures.in_scope, lang),
                    excluded=fmt_count(figures.excluded_total, lang),
                    n=fmt_count(self.total.n, lang),
                ),
            ),
            (_("Mapped"), self.coverage()),
            (_("Left out"), left_out),
            (_("Counted although often left out"), counted_groups),
            (_("Heltid"), _threshold_text(settings, lang)),
            (
                _("Definition of involuntary part time"),
                f"{settings.active.names.get(lang)}: " + "; ".join(criteria),
            ),
            (
                _("Position size missing"),
                _(
                    "%(count)s counted people have no stillingsprosent recorded; they are left "
                    "out of the position tables.",
                    count=fmt_count(missing_stilling, lang),
                ),
            ),
            (
                _("Small groups"),
                _(
                    "Cells describing fewer than %(minimum)s people, and cells that could be "
                    "worked out from them, are shown as «–».",
                    minimum=self.minimum,
                ),
            ),
        ]
        return Section(_("Population"), (Facts(tuple(items)),))

    def positions(self) -> Section:
        total, lang = self.total, self.lang
        s = Suppressor(self.minimum)
        n = s.cell("n", total.n_stilling)
        bins = [s.cell(("bin", i), value) for i, value in enumerate(total.bins)]
        s.add_constraint([*bins, n])
        heltid = s.cell("heltid", total.heltid)
        part = s.cell("part", total.n_stilling - total.heltid)
        s.add_constraint([heltid, part, n])
        shown_n = s.shown(n)
        labels = _bin_labels(lang)
        rows = [
            Row(
                (
                    self.text(label),
                    self.count(s.shown(key)),
                    self.share(s.shown(key), shown_n),
                )
            )
            for label, key in zip(labels, bins, strict=True)
        ]
        rows.append(
            Row(
                (self.text(_("Total")), self.count(shown_n), self.whole(shown_n)),
                total=True,
            )
        )
        table = Table(
            "positions",
            _("Position size (stillingsstørrelse)"),
            (_("Position size"), _("People"), _("Share")),
            tuple(rows),
            shown_n,
        )
        key_figures = Table(
            "key-figures",
            _("Key figures"),
            (_("Figure"), _("Value")),
            (
                Row((self.text(_("Average position size")), self.average(total))),
                Row(
                    (
                        self.text(
                            _(
                                "Share heltid (%(threshold)s)",
                                threshold=_threshold_text(self.settings, lang),
                            )
                        ),
                        self.share(s.shown(heltid), shown_n),
                    )
                ),
                Row((self.text(_("Working heltid")), self.count(s.shown(heltid)))),
                Row((self.text(_("Working part time")), self.count(s.shown(part)))),
            ),
            shown_n,
        )
        chart = self.chart_bars(
            labels,
            [percent(s.shown(key), shown_n) for key in bins],
            [s.shown(key) for key in bins],
            _("Position size"),
            self.n_caption(
                _("Share of employees per position size; numbers in the table above"), shown_n
            ),
        )
        return Section(_("Position sizes"), (table, chart, key_figures))

    def _status_suppressor(self, counts: Counts, profiles) -> Suppressor:
        return status_suppressor(counts, profiles, self.minimum)

    def classification(self) -> Section:
        total, settings, lang = self.total, self.settings, self.lang
        labels = _status_labels()
        s = self._status_suppressor(total, settings.profiles)
        n = s.shown("n")
        active = settings.active
        active_rows = [
            Row(
                (
                    self.text(labels[status]),
                    self.count(s.shown((active.id, status))),
                    self.share(s.shown((active.id, status)), n),
                )
            )
            for status in STATUS_ORDER
        ]
        active_rows.append(Row((self.text(_("Total")), self.count(n), self.whole(n)), total=True))
        active_table = Table(
            "classification-active",
            _("Voluntary and involuntary part time: %(profile)s", profile=active.names.get(lang)),
            (_("Status"), _("People"), _("Share")),
            tuple(active_rows),
            n,
            note=self.coverage(),
        )
        profile_rows = []
        for profile in settings.profiles:
            involuntary = s.shown((profile.id, "involuntary"))
            name = profile.names.get(lang) + (" *" if profile.id == active.id else "")
            profile_rows.append(
                Row(
                    (
                        self.text(name),
                        *(self.count(s.shown((profile.id, status))) for status in STATUS_ORDER),
                        self.share(involuntary, n),
                    )
                )
            )
        side_by_side = Table(
            "classification-profiles",
            _("The same people under every definition"),
            (
                _("Definition"),
                labels["full_time"],
                labels["voluntary"],
                labels["involuntary"],
                labels["not_enough_data"],
                _("Involuntary, share"),
            ),
            tuple(profile_rows),
            n,
            note=_("* the municipality's chosen definition."),
        )
        chart = self.chart_bars(
            [profile.names.get(lang) for profile in settings.profiles],
            [percent(s.shown((p.id, "involuntary")), n) for p in settings.profiles],
            [s.shown((p.id, "involuntary")) for p in settings.profiles],
            _("Involuntary part time by definition"),
            self.n_caption(
                _("Share of the counted employees in involuntary part time, by definition"), n
            ),
        )
        return Section(
            _("Voluntary and involuntary part time"), (active_table, side_by_side, chart)
        )

    def desired_change(self) -> Section:
        total = self.total
        s = Suppressor(self.minimum)
        n = s.cell("n", total.mapped)
        keys = {}
        for value in ("storre", "mindre", "samme", "unknown"):
            keys[value] = s.cell(value, total.change.get(value, 0))
        s.add_constraint([*keys.values(), n])
        labels = {
            "storre": _("Want a larger position"),
            "mindre": _("Want a smaller position"),
            "samme": _("Want to keep their position"),
            "unknown": _("Not recorded"),
        }
        shown_n = s.shown(n)
        rows = [
            Row(
                (
                    self.text(labels[v]),
                    self.count(s.shown(k)),
                    self.share(s.shown(k), shown_n),
                )
            )
            for v, k in keys.items()
        ]
        rows.append(
            Row(
                (self.text(_("Total")), self.count(shown_n), self.whole(shown_n)),
                total=True,
            )
        )
        change_table = Table(
            "desired-change",
            _("Desired change"),
            (_("Wish"), _("People"), _("Share")),
            tuple(rows),
            shown_n,
            note=self.coverage(),
        )

        u = arsverk_suppressor(self.figures, self.minimum)
        arsverk = Table(
            "arsverk",
            _("Desired change in årsverk"),
            (_("Figure"), _("Årsverk")),
            (
                Row(
                    (
                        self.text(_("Desired extra årsverk (larger positions)")),
                        Cell(u.shown("extra"), DECIMAL),
                    )
                ),
                Row(
                    (
                        self.text(_("Desired fewer årsverk (smaller positions)")),
                        Cell(
                            total.reduction_arsverk
                            if total.change.get("mindre", 0) >= self.minimum
                            else None,
                            DECIMAL,
                        ),
                    )
                ),
            ),
            shown_n,
            note=_("One årsverk is one full-time position (100 %)."),
        )
        unit_rows = [
            Row(
                (
                    self.text(self.names.get(unit_id, _("No unit"))),
                    self.count(u.shown(("n", unit_id))),
                    self.count(u.shown(("wanting", unit_id))),
                    Cell(u.shown(("extra", unit_id)), DECIMAL),
                )
            )
            for unit_id in self._sorted_units()
        ]
        unit_rows.append(
            Row(
                (
                    self.text(_("Total")),
                    self.count(u.shown("n")),
                    self.count(u.shown("wanting")),
                    Cell(u.shown("extra"), DECIMAL),
                ),
                total=True,
            )
        )
        per_unit = Table(
            "arsverk-per-unit",
            _("Desired extra årsverk per unit"),
            (_("Unit"), _("Mapped"), _("Want larger"), _("Extra årsverk")),
            tuple(unit_rows),
            u.shown("n"),
        )
        return Section(
            _("Desired change"), (change_table, arsverk, per_unit), page_break_before=True
        )

    def _sorted_units(self):
        return sorted(
            self.figures.by_unit, key=lambda i: (i is None, self.names.get(i, ""), i or 0)
        )

    def willingness(self) -> Section:
        total, lang = self.total, self.lang
        labels = _tiltak_labels()
        s = Suppressor(self.minimum)
        for tiltak in TILTAK:
            yes, answered = total.willing.get(tiltak, [0, 0])
            iyes, ianswered = total.willing_involuntary.get(tiltak, [0, 0])
            s.cell(("yes", tiltak), yes)
            s.cell(("no", tiltak), answered - yes)
            s.cell(("n", tiltak), answered)
            s.add_constraint([("yes", tiltak), ("no", tiltak), ("n", tiltak)])
            s.cell(("iyes", tiltak), iyes)
            s.cell(("ino", tiltak), ianswered - iyes)
            s.cell(("in", tiltak), ianswered)
            s.add_constraint([("iyes", tiltak), ("ino", tiltak), ("in", tiltak)])
            # The others (not involuntary) are the difference between the two groups.
            s.cell(("oyes", tiltak), yes - iyes)
            s.add_constraint([("iyes", tiltak), ("oyes", tiltak), ("yes", tiltak)])
            s.cell(("on", tiltak), answered - ianswered)
            s.add_constraint([("in", tiltak), ("on", tiltak), ("n", tiltak)])
        rows = []
        for tiltak in TILTAK:
            yes, n = s.shown(("yes", tiltak)), s.shown(("n", tiltak))
            iyes, inn = s.shown(("iyes", tiltak)), s.shown(("in", tiltak))
            rows.append(
                Row(
                    (
                        self.text(labels[tiltak]),
                        self.count(yes),
                        self.count(n),
                        self.share(yes, n),
                        self.count(iyes),
                        self.count(inn),
                        self.share(iyes, inn),
                    )
                )
            )
        wanting = (
            total.wanting_more_part_time if total.wanting_more_part_time >= self.minimum else None
        )
        table = Table(
            "willingness",
            _("Willing to work more in other ways"),
            (
                _("Measure"),
                _("Yes"),
                "N",
                _("Share"),
                _("Yes, involuntary"),
                _("N, involuntary"),
                _("Share, involuntary"),
            ),
            tuple(rows),
            wanting,
            note=_(
                "Asked of part-timers who want a larger position; N per row is those who "
                "answered. Involuntary: under %(profile)s.",
                profile=self.settings.active.names.get(lang),
            ),
        )
        chart = self.chart_bars(
            [labels[t] for t in TILTAK],
            [percent(s.shown(("yes", t)), s.shown(("n", t))) for t in TILTAK],
            [s.shown(("yes", t)) for t in TILTAK],
            _("Willing to work more in other ways"),
            self.n_caption(
                _("Share answering yes among those asked; N per measure in the table"), wanting
            ),
        )
        return Section(_("Willingness to work more"), (table, chart, self.flexibility()))

    def flexibility(self) -> Table:
        """Songdalen's finding as a figure, under every definition: of the involuntary
        part-timers, how many are willing to work more in 0, 1, or 2 or more of the ways
        Songdalen measured flexibility by (003:1265-1270: 95 % in two or more)."""
        total, settings, lang = self.total, self.settings, self.lang
        statuses = self._status_suppressor(total, settings.profiles)
        s = Suppressor(self.minimum)
        for profile in settings.profiles:
            ways = total.flex_ways.get(profile.id, [0] * len(FLEX_WAYS))
            groups = [
                s.cell((profile.id, group), count)
                for group, count in zip(FLEX_WAYS, ways, strict=True)
            ]
            n = s.cell((profile.id, "n"), sum(ways))
            s.add_constraint([*groups, n])
            # N is the involuntary count of the classification table: hidden there, hidden here.
            if statuses.is_hidden((profile.id, "involuntary")):
                s.hide(n)
        rows = []
        for profile in settings.profiles:
            n = s.shown((profile.id, "n"))
            name = profile.names.get(lang) + (" *" if profile.id == settings.active.id else "")
            cells = [self.text(name), self.count(n)]
            for group in FLEX_WAYS:
                people = s.shown((profile.id, group))
                cells += [self.count(people), self.share(people, n)]
            rows.append(Row(tuple(cells)))
        return Table(
            "flexibility",
            _("Involuntary part-timers by the number of ways they would work more"),
            (
                _("Definition"),
                "N",
                _("0 ways"),
                _("Share"),
                _("1 way"),
                _("Share"),
                _("2+ ways"),
                _("Share"),
            ),
            tuple(rows),
            statuses.shown("n"),
            note=_(
                "The ways: more weekends, long shifts, other units or kombijobbing, ubundet "
                "tid, vacant shifts; a way not answered counts as not willing. Songdalen found "
                "%(share)s of its involuntary part-timers willing in two or more ways (Fafo "
                "2015). * the municipality's chosen definition.",
                share=fmt_percent(95, lang),
            ),
        )

    def reasons(self) -> Section:
        total, lang = self.total, self.lang
        names = choice_labels("arsaker_deltid", lang)
        s = Suppressor(self.minimum)
        part_time = total.mapped_part_time  # reasons are recorded in living documents
        n = s.cell("n", part_time)
        rows = []
        for reason in REASONS:
            s.cell(reason, total.reasons.get(reason, 0))
            # Several reasons may be given: each reason and its complement add up to N.
            s.cell(("not", reason), part_time - total.reasons.get(reason, 0))
            s.add_constraint([reason, ("not", reason), n])
        s.cell("recorded", total.reasons_recorded)
        s.cell("none", part_time - total.reasons_recorded)
        s.add_constraint(["recorded", "none", n])
        shown_n = s.shown(n)
        ordered = sorted(REASONS, key=lambda r: -total.reasons.get(r, 0))
        for reason in ordered:
            rows.append(
                Row(
                    (
                        self.text(names.get(reason, reason)),
                        self.count(s.shown(reason)),
                        self.share(s.shown(reason), shown_n),
                    )
                )
            )
        rows.append(
            Row(
                (
                    self.text(_("No reason recorded")),
                    self.count(s.shown("none")),
                    self.share(s.shown("none"), shown_n),
                )
            )
        )
        table = Table(
            "reasons",
            _("Reasons for working part time"),
            (_("Reason"), _("People"), _("Share of part-timers")),
            tuple(rows),
            shown_n,
            note=_("Several reasons may be given, so the shares add up to more than 100 %."),
        )
        chart = self.chart_bars(
            [names.get(r, r) for r in ordered],
            [percent(s.shown(r), shown_n) for r in ordered],
            [s.shown(r) for r in ordered],
            _("Reasons for working part time"),
            self.n_caption(_("Share of part-timers giving each reason"), shown_n),
        )
        return Section(_("Reasons for part time"), (table, chart), page_break_before=True)

    def breakdown(self, table_id: str, title: str, first: str, groups: Mapping, label) -> Table:
        """Key figures per group, with the municipality's total as the last row."""
        s = Suppressor(self.minimum)
        columns = ("n", "mapped", "part_time", "involuntary", "heltid_n", "n_stilling")
        keys = list(groups)
        for key in keys:
            counts = groups[key]
            s.cell(("n", key), counts.n)
            s.cell(("mapped", key), counts.mapped)
            s.cell(("part_time", key), counts.part_time)
            s.cell(("involuntary", key), counts.involuntary_active)
            s.cell(("heltid_n", key), counts.heltid)
            s.cell(("n_stilling", key), counts.n_stilling)
        total = self.total
        totals = {
            "n": total.n,
            "mapped": total.mapped,
            "part_time": total.part_time,
            "involuntary": total.involuntary_active,
            "heltid_n": total.heltid,
            "n_stilling": total.n_stilling,
        }
        for column in columns:
            s.cell(("total", column), totals[column])
            s.add_constraint([*((column, key) for key in keys), ("total", column)])
        rows = []
        for key in [*keys, None] if False else keys:
            counts = groups[key]
            n_stilling = s.shown(("n_stilling", key))
            rows.append(
                Row(
                    (
                        self.text(label(key)),
                        self.count(s.shown(("n", key))),
                        self.average(counts, hidden=n_stilling is None),
                        self.share(s.shown(("heltid_n", key)), n_stilling),
                        self.count(s.shown(("part_time", key))),
                        self.count(s.shown(("mapped", key))),
                        self.count(s.shown(("involuntary", key))),
                        self.share(s.shown(("involuntary", key)), s.shown(("mapped", key))),
                    )
                )
            )
        rows.append(
            Row(
                (
                    self.text(_("Total")),
                    self.count(s.shown(("total", "n"))),
                    self.average(total),
                    self.share(s.shown(("total", "heltid_n")), s.shown(("total", "n_stilling"))),
                    self.count(s.shown(("total", "part_time"))),
                    self.count(s.shown(("total", "mapped"))),
                    self.count(s.shown(("total", "involuntary"))),
                    self.share(s.shown(("total", "involuntary")), s.shown(("total", "mapped"))),
                ),
                total=True,
            )
        )
        return Table(
            table_id,
            title,
            (
                first,
                _("People"),
                _("Average size"),
                _("Heltid share"),
                _("Part time"),
                _("Mapped"),
                _("Involuntary"),
                _("Involuntary share"),
            ),
            tuple(rows),
            s.shown(("total", "n")),
        )

    def breakdowns(self) -> Section:
        lang = self.lang
        figures = self.figures
        yrker = choice_labels("yrkesgruppe", lang)
        genders = {"k": _("Women"), "m": _("Men"), "annet": _("Other")}
        units = {i: figures.by_unit[i] for i in self._sorted_units()}
        jobs = dict(
            sorted(
                figures.by_yrkesgruppe.items(),
                key=lambda item: (item[0] is None, yrker.get(item[0], item[0] or "")),
            )
        )
        kjonn = dict(
            sorted(figures.by_kjonn.items(), key=lambda item: (item[0] is None, str(item[0])))
        )
        note = _(
            "Involuntary: under %(profile)s, as a share of the mapped people.",
            profile=self.settings.active.names.get(lang),
        )
        return Section(
            _("By unit, occupation and gender"),
            (
                self.breakdown(
                    "by-unit",
                    _("By unit"),
                    _("Unit"),
                    units,
                    lambda k: self.names.get(k, _("No unit")),
                ),
                self.breakdown(
                    "by-yrkesgruppe",
                    _("By occupation"),
                    _("Occupation"),
                    jobs,
                    lambda k: yrker.get(k, k) if k else _("Not recorded"),
                ),
                self.breakdown(
                    "by-kjonn",
                    _("By gender"),
                    _("Gender"),
                    kjonn,
                    lambda k: genders.get(k, k) if k else _("Not recorded"),
                ),
                Paragraph(note),
            ),
            page_break_before=True,
        )

    def trend(self) -> Section:
        lang = self.lang
        active = self.settings.active.id
        rows = []
        bars = []
        top = 0
        for point in self.points:
            s = trend_point_suppressor(point, active, self.minimum)
            label = fmt_date_short(point.day, lang)
            rows.append(
                Row(
                    (
                        self.text(label),
                        self.count(s.shown("n")),
                        self.count(s.shown("inv")),
                        self.share(s.shown("inv"), s.shown("n")),
                        self.average(point),
                        self.share(s.shown("heltid"), s.shown("ns")),
                    )
                )
            )
            shown = s.shown("inv")
            top = max(top, shown or 0)
            bars.append(
                charts.Bar(
                    str(point.day.year) if point.day.month == 12 and point.day.day == 31 else label,
                    shown,
                    fmt_count(shown, lang),
                )
            )
        table = Table(
            "trend",
            _("Trend: the state on 31 December each year"),
            (
                _("Day"),
                _("People"),
                _("Involuntary"),
                _("Involuntary share"),
                _("Average size"),
                _("Heltid share"),
            ),
            tuple(rows),
            self.total.mapped if self.total.mapped >= self.minimum else None,
            note=_(
                "Involuntary: under %(profile)s. The people with a living document in force on "
                "each day (the roster keeps no history); N per year in the column People.",
                profile=self.settings.active.names.get(lang),
            ),
        )
        chart = Chart(
            charts.columns(
                bars, title=_("Involuntary part time per year"), scale_max=max(top, 1) * 1.15
            ),
            _(
                "Number of employees in involuntary part time on 31 December each year; N per year in the table"
            ),
        )
        return Section(_("Trend"), (table, chart), page_break_before=True)

    def report(self) -> Report:
        title = _("Heltid and part time")
        subtitle = _(
            "%(scope)s, as of %(date)s",
            scope=self.scope_label,
            date=fmt_date(self.figures.as_of, self.lang),
        )
        return Report(
            title=title,
            subtitle=subtitle,
            header=f"{title} – {subtitle}",
            sections=(
                self.population(),
                self.positions(),
                self.classification(),
                self.desired_change(),
                self.willingness(),
                self.reasons(),
                self.breakdowns(),
                self.trend(),
            ),
            suppression_note=_(
                "Fewer than %(minimum)s people, or could be worked out from other cells: hidden to protect privacy.",
                minimum=self.minimum,
            ),
        )


def fmt_date(day: dt.date, lang: str) -> str:
    from reports.formatting import date

    return date(day, lang)


def fmt_date_short(day: dt.date, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, "short" if lang == "en" else "dd.MM.y", locale=lang)


def build_report(
    figures: HeltidFigures,
    points: Sequence[TrendPoint],
    *,
    lang: str,
    minimum: int,
    scope: Scope,
) -> Report:
    with force_locale(lang):
        return _Builder(figures, points, lang, minimum, scope.label(), _unit_names()).report()


def heltid_data(
    scope: Scope, as_of: dt.date, settings: Settings, *, with_trend: bool = True
) -> tuple[HeltidFigures, list[TrendPoint]]:
    """The figures on `as_of` and the trend points (31 December each year), from SQL."""
    unit_ids: Collection[int] | None = scope.unit_ids
    figures = heltid_figures(as_of, unit_ids, settings)
    points = []
    if with_trend:
        days = trend_days(first_effective_on(unit_ids), as_of)
        earlier = trend(days[:-1], unit_ids, settings)
        total = figures.total
        # The roster has no history: every point of the trend is the mapped people.
        points = [
            *earlier,
            TrendPoint(
                day=as_of,
                n=total.mapped,
                involuntary={p: st["involuntary"] for p, st in total.statuses.items()},
                average_stilling=(
                    total.mapped_sum_stilling / total.mapped_n_stilling
                    if total.mapped_n_stilling
                    else None
                ),
                heltid=total.mapped_heltid,
                n_stilling=total.mapped_n_stilling,
            ),
        ]
    return figures, points
