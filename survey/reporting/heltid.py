"""The figures of the heltid report, counted in SQL.

One statement per report date (`heltid_figures`): every count and sum as a column, for the
included and the left-out people, plus the few figures the breakdowns show per unit ×
yrkesgruppe × kjønn (see `_figures_query`). Every figure is additive (counts, sums), so the
breakdowns by unit, yrkesgruppe and kjønn are sums over those groups, and averages are divided
out at the end. The trend (`trend`) is one more statement for all its days together, over
rows with only what it counts (`classified(..., statuses_only=True)`): with every figure's
columns it ran ~57 ms on SQLite (3 000 employees, 4 year-ends), with these ~30 ms.

Counting is done with aggregate FILTER clauses rather than sum(CASE …): with about a hundred
such columns over 100 000 people it is the difference between ~0.45 s and ~0.25 s on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, literal_column, null, select, text, union_all

from survey.extensions import db
from survey.reporting.classification_sql import INVOLUNTARY, STATUS_CODES
from survey.reporting.facts import (
    BIN_LIMITS,
    FACTS,
    PEOPLE,
    REASONS,
    TILTAK,
    Settings,
    classified,
)

DIMENSIONS = ("included", "unit_id", "yrkesgruppe", "kjonn")
STATUS_NAMES = {code: name for name, code in STATUS_CODES.items()}
# The flexibility figure's groups: willing in 0, 1, or 2 or more of the flex ways (Songdalen
# found 95 % of its involuntary part-timers flexible in 2 or more, 003:1265-1270).
FLEX_WAYS = ("0", "1", "2+")


@dataclass
class Counts:
    """Additive figures for one group of people (all of them, a unit, a yrkesgruppe …).

    The position figures (n, n_stilling, sum_stilling, bins, heltid, part_time) are register
    facts of everyone counted, also people on the roster not mapped yet; the rest (statuses,
    wishes, willingness, reasons) come from living documents, the `mapped` people."""

    n: int = 0  # people counted
    mapped: int = 0  # of whom with a living document in force
    mapped_part_time: int = 0  # mapped people working part time
    mapped_n_stilling: int = 0  # the position figures of the mapped people (the trend's)
    mapped_sum_stilling: float = 0.0
    mapped_heltid: int = 0
    n_stilling: int = 0  # with a stillingsprosent
    sum_stilling: float = 0.0
    bins: list[int] = field(default_factory=lambda: [0] * (len(BIN_LIMITS) + 1))
    heltid: int = 0
    part_time: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # profile -> status -> n
    change: dict[str, int] = field(default_factory=dict)  # storre/mindre/samme/unknown
    extra: float = 0.0  # percentage points wanted on top, summed (100 = one årsverk)
    reduction: float = 0.0
    wanting_more_part_time: int = 0  # part-timers who want a larger position
    willing: dict[str, list[int]] = field(default_factory=dict)  # tiltak -> [yes, answered]
    willing_involuntary: dict[str, list[int]] = field(default_factory=dict)
    # profile -> the involuntary willing to work more in [0, 1, 2 or more] of the flex ways
    flex_ways: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    reasons_recorded: int = 0  # part-timers with at least one reason
    involuntary_active: int = 0

    def add(self, other: Counts) -> None:
        self.n += other.n
        self.mapped += other.mapped
        self.mapped_part_time += other.mapped_part_time
        self.mapped_n_stilling += other.mapped_n_stilling
        self.mapped_sum_stilling += other.mapped_sum_stilling
        self.mapped_heltid += other.mapped_heltid
        self.n_stilling += other.n_stilling
        self.sum_stilling += other.sum_stilling
        self.bins = [a + b for a, b in zip(self.bins, other.bins, strict=True)]
        self.heltid += other.heltid
        self.part_time += other.part_time
        for profile, counts in other.statuses.items():
            mine = self.statuses.setdefault(profile, dict.fromkeys(STATUS_CODES, 0))
            for status, count in counts.items():
                mine[status] += count
        _add_map(self.change, other.change)
        self.extra += other.extra
        self.reduction += other.reduction
        self.wanting_more_part_time += other.wanting_more_part_time
        for mine, theirs in (
            (self.willing, other.willing),
            (self.willing_involuntary, other.willing_involuntary),
        ):
            for key, (yes, answered) in theirs.items():
                pair = mine.setdefault(key, [0, 0])
                pair[0] += yes
                pair[1] += answered
        for profile, ways in other.flex_ways.items():
            mine = self.flex_ways.setdefault(profile, [0] * len(FLEX_WAYS))
            self.flex_ways[profile] = [a + b for a, b in zip(mine, ways, strict=True)]
        _add_map(self.reasons, other.reasons)
        self.reasons_recorded += other.reasons_recorded
        self.involuntary_active += other.involuntary_active

    @property
    def average_stilling(self) -> float | None:
        return self.sum_stilling / self.n_stilling if self.n_stilling else None

    @property
    def extra_arsverk(self) -> float:
        return self.extra / 100

    @property
    def reduction_arsverk(self) -> float:
        return self.reduction / 100


def _add_map(mine: dict[str, int], theirs: Mapping[str, int]) -> None:
    for key, value in theirs.items():
        mine[key] = mine.get(key, 0) + value


@dataclass
class HeltidFigures:
    as_of: dt.date
    settings: Settings
    total: Counts  # the population: people in scope not in a left-out group
    in_scope: int  # people in scope on the roster or with a living document, before exclusions
    excluded: dict[str, int]  # per left-out or counted group, over everyone in scope
    excluded_total: int
    by_unit: dict[int | None, Counts]
    by_yrkesgruppe: dict[str | None, Counts]
    by_kjonn: dict[str | None, Counts]


def _without_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction.

    The report's statements carry a few hundred CASE and FILTER expressions. When the planner
    expects many rows (always, right after a bulk import, before autovacuum has analysed the
    tables) their cost passes `jit_above_cost`, and LLVM then spends seconds compiling them
    (EXPLAIN ANALYZE over 100 000 people: JIT 6.3 s, of which optimisation 3.6 s, for a query
    that runs in 0.8 s). Interpreted, they are fast enough."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def _count(condition):
    """People for whom `condition` holds. An aggregate FILTER (SQLite ≥ 3.30, PostgreSQL)
    skips the other rows instead of adding a 0 for each."""
    return func.count().filter(condition)


def _aggregates(c, settings: Settings) -> list:
    active = settings.active.id
    mapped = c.mapped == 1
    return [
        func.count().label("n"),
        _count(mapped).label("mapped"),
        _count(mapped & (c.part_time == 1)).label("mapped_part_time"),
        _count(mapped & c.stilling.is_not(None)).label("mapped_n_stilling"),
        func.coalesce(func.sum(case((mapped, c.stilling))), 0.0).label("mapped_sum_stilling"),
        _count(mapped & (c.part_time == 0)).label("mapped_heltid"),
        func.count(c.stilling).label("n_stilling"),
        func.coalesce(func.sum(c.stilling), 0.0).label("sum_stilling"),
        *(_count(c.bin == index).label(f"bin_{index}") for index in range(len(BIN_LIMITS) + 1)),
        _count(c.part_time == 0).label("heltid"),
        _count(c.part_time == 1).label("part_time"),
        *(
            _count(c[f"st_{profile.id}"] == code).label(f"st_{profile.id}_{code}")
            for profile in settings.profiles
            for code in STATUS_CODES.values()
        ),
        *(
            _count((c[f"st_{profile.id}"] == INVOLUNTARY) & ways).label(f"fx_{profile.id}_{index}")
            for profile in settings.profiles
            for index, ways in enumerate((c.flex_ways == 0, c.flex_ways == 1, c.flex_ways >= 2))
        ),
        *(
            _count(c.onsket_endring == value).label(f"ch_{value}")
            for value in ("storre", "mindre", "samme")
        ),
        func.coalesce(func.sum(c.extra), 0.0).label("extra"),
        func.coalesce(func.sum(c.reduction), 0.0).label("reduction"),
        _count((c.onsket_endring == "storre") & (c.part_time == 1)).label("wanting_more"),
        *(_count(c[f"w_{t}"] == 1).label(f"wy_{t}") for t in TILTAK),
        *(func.count(c[f"w_{t}"]).label(f"wa_{t}") for t in TILTAK),
        *(
            _count((c[f"w_{t}"] == 1) & (c[f"st_{active}"] == INVOLUNTARY)).label(f"iy_{t}")
            for t in TILTAK
        ),
        *(
            _count(c[f"w_{t}"].is_not(None) & (c[f"st_{active}"] == INVOLUNTARY)).label(f"ia_{t}")
            for t in TILTAK
        ),
        *(_count((c[f"arsak_{r}"] == 1) & (c.part_time == 1)).label(f"r_{r}") for r in REASONS),
        _count((c.part_time == 1) & (sum(c[f"arsak_{r}"] for r in REASONS) > 0)).label(
            "reasons_recorded"
        ),
        *(_count(c[f"ex_{g.id}"] == 1).label(f"ex_{g.id}") for g in settings.exclusions),
    ]


# What the breakdowns by unit, yrkesgruppe and kjønn show (the rest stays 0 there).
BREAKDOWN_FIGURES = (
    "n",
    "mapped",
    "n_stilling",
    "sum_stilling",
    "heltid",
    "part_time",
    "ch_storre",
    "extra",
    "reduction",
)
TOTALS, BREAKDOWNS = 1, 2


def _figures_query(c, settings: Settings):
    """Two kinds of rows: every figure for the included and for the left-out people (2 rows),
    and a few figures per unit × yrkesgruppe × kjønn of the included (up to a few thousand).
    Counting every figure per breakdown group and adding the groups up in Python instead
    cost more in Python than the counting in SQL. One statement: the classified rows (a
    MATERIALIZED CTE) are computed once for both."""
    figures = _aggregates(c, settings)
    involuntary = f"st_{settings.active.id}_{INVOLUNTARY}"
    dims = [c[name] for name in DIMENSIONS[1:]]
    totals = select(
        literal_column(str(TOTALS)).label("kind"),
        c.included,
        *(null().label(name) for name in DIMENSIONS[1:]),
        *figures,
    ).group_by(c.included)
    breakdowns = (
        select(
            literal_column(str(BREAKDOWNS)),
            c.included,
            *dims,
            *(
                figure if figure.name in (*BREAKDOWN_FIGURES, involuntary) else null()
                for figure in figures
            ),
        )
        .where(c.included == 1)
        .group_by(c.included, *dims)
    )
    return union_all(totals, breakdowns)


def _counts_of(m, settings: Settings) -> Counts:
    counts = Counts(
        n=m["n"],
        mapped=int(m["mapped"]),
        mapped_part_time=int(m["mapped_part_time"]),
        mapped_n_stilling=int(m["mapped_n_stilling"]),
        mapped_sum_stilling=float(m["mapped_sum_stilling"] or 0),
        mapped_heltid=int(m["mapped_heltid"]),
        n_stilling=m["n_stilling"],
        sum_stilling=float(m["sum_stilling"] or 0),
        bins=[int(m[f"bin_{i}"]) for i in range(len(BIN_LIMITS) + 1)],
        heltid=int(m["heltid"]),
        part_time=int(m["part_time"]),
        statuses={
            p.id: {name: int(m[f"st_{p.id}_{code}"]) for name, code in STATUS_CODES.items()}
            for p in settings.profiles
        },
        change={value: int(m[f"ch_{value}"]) for value in ("storre", "mindre", "samme")},
        extra=float(m["extra"] or 0),
        reduction=float(m["reduction"] or 0),
        wanting_more_part_time=int(m["wanting_more"]),
        willing={t: [int(m[f"wy_{t}"]), int(m[f"wa_{t}"])] for t in TILTAK},
        willing_involuntary={t: [int(m[f"iy_{t}"]), int(m[f"ia_{t}"])] for t in TILTAK},
        flex_ways={
            p.id: [int(m[f"fx_{p.id}_{index}"]) for index in range(len(FLEX_WAYS))]
            for p in settings.profiles
        },
        reasons={r: int(m[f"r_{r}"]) for r in REASONS},
        reasons_recorded=int(m["reasons_recorded"]),
    )
    counts.change["unknown"] = counts.mapped - sum(counts.change.values())
    counts.involuntary_active = counts.statuses[settings.active.id]["involuntary"]
    return counts


def _breakdown_counts(m, involuntary: str) -> Counts:
    return Counts(
        n=m["n"],
        mapped=int(m["mapped"]),
        n_stilling=m["n_stilling"],
        sum_stilling=float(m["sum_stilling"]),
        heltid=int(m["heltid"]),
        part_time=int(m["part_time"]),
        change={"storre": int(m["ch_storre"])},
        extra=float(m["extra"]),
        reduction=float(m["reduction"]),
        involuntary_active=int(m[involuntary]),
    )


def _add_breakdown(group: Counts, other: Counts) -> None:
    group.n += other.n
    group.mapped += other.mapped
    group.n_stilling += other.n_stilling
    group.sum_stilling += other.sum_stilling
    group.heltid += other.heltid
    group.part_time += other.part_time
    group.change["storre"] = group.change.get("storre", 0) + other.change["storre"]
    group.extra += other.extra
    group.reduction += other.reduction
    group.involuntary_active += other.involuntary_active


def heltid_figures(
    as_of: dt.date, unit_ids: Collection[int] | None, settings: Settings
) -> HeltidFigures:
    """Every figure of the heltid report for the people in `unit_ids` (None: everyone): the
    people with a living document in force on `as_of` and those on the roster without one."""
    c = classified(as_of, unit_ids, settings, roster=True).c
    _without_jit()
    everyone, total = Counts(), Counts()
    involuntary = f"st_{settings.active.id}_{INVOLUNTARY}"
    breakdowns: dict[str, dict] = {name: {} for name in DIMENSIONS[1:]}
    excluded = dict.fromkeys((group.id for group in settings.exclusions), 0)
    for m in db.session.execute(_figures_query(c, settings)).mappings():
        if m["kind"] == TOTALS:
            counts = _counts_of(m, settings)
            everyone.add(counts)
            for group in excluded:
                excluded[group] += int(m[f"ex_{group}"])
            if m["included"] == 1:
                total = counts
            continue
        counts = _breakdown_counts(m, involuntary)
        for name, groups in breakdowns.items():
            key = m[name]
            if key not in groups:
                groups[key] = Counts(change={"storre": 0})
            _add_breakdown(groups[key], counts)
    return HeltidFigures(
        as_of=as_of,
        settings=settings,
        total=total,
        in_scope=everyone.n,
        excluded=excluded,
        excluded_total=everyone.n - total.n,
        by_unit=breakdowns["unit_id"],
        by_yrkesgruppe=breakdowns["yrkesgruppe"],
        by_kjonn=breakdowns["kjonn"],
    )


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    n: int
    involuntary: dict[str, int]  # per profile
    average_stilling: float | None
    heltid: int
    n_stilling: int


def trend_days(first: dt.date | None, as_of: dt.date) -> list[dt.date]:
    """31 December of every year from the first revision's year up to `as_of`, then `as_of`
    itself when it is not a 31 December."""
    if first is None:
        return [as_of]
    days = [dt.date(year, 12, 31) for year in range(first.year, as_of.year + 1)]
    days = [day for day in days if day <= as_of]
    if not days or days[-1] != as_of:
        days.append(as_of)
    return days


def first_effective_on(unit_ids: Collection[int] | None) -> dt.date | None:
    f, people = FACTS.c, PEOPLE.c
    query = select(func.min(f.effective_on))
    if unit_ids is not None:
        query = query.outerjoin(PEOPLE, people.id == f.person_id).where(
            func.coalesce(people.unit_id, f.unit_id).in_(sorted(unit_ids))
        )
    return db.session.scalar(query)


def trend(days: Iterable[dt.date], unit_ids: Collection[int] | None, settings: Settings):
    """The population's key figures on each day (the state in force then), all days in one
    query: each person's revision in force is found per day by its period in force."""
    days = list(days)
    if not days:
        return []
    c = classified(days, unit_ids, settings, name="trend", statuses_only=True).c
    query = (
        select(
            c.day,
            func.count().label("n"),
            func.count(c.stilling).label("n_stilling"),
            func.sum(c.stilling).label("sum_stilling"),
            _count(c.part_time == 0).label("heltid"),
            *(
                _count(c[f"st_{profile.id}"] == INVOLUNTARY).label(f"inv_{profile.id}")
                for profile in settings.profiles
            ),
        )
        .where(c.included == 1)
        .group_by(c.day)
    )
    found = {}
    _without_jit()
    for m in db.session.execute(query).mappings():
        day = m["day"] if isinstance(m["day"], dt.date) else dt.date.fromisoformat(m["day"])
        found[day] = m
    points = []
    for day in days:
        m = found.get(day)
        if m is None:
            points.append(TrendPoint(day, 0, {p.id: 0 for p in settings.profiles}, None, 0, 0))
            continue
        n_stilling = int(m["n_stilling"])
        points.append(
            TrendPoint(
                day=day,
                n=int(m["n"]),
                involuntary={p.id: int(m[f"inv_{p.id}"]) for p in settings.profiles},
                average_stilling=float(m["sum_stilling"]) / n_stilling if n_stilling else None,
                heltid=int(m["heltid"]),
                n_stilling=n_stilling,
            )
        )
    return points
