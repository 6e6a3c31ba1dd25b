"""Distributing vacant stillingsandeler among internal candidates, for the ansettelsesutvalg.

Pure logic over plain values: no Flask, no database. `propose` suggests an allocation,
`evaluate` checks and scores one the committee has adjusted by hand, `compare` ranks several.

The model
---------
A `Share` is one vacant stillingsandel (a 30 % share, or a whole 100 % position). An
indivisible share goes whole to one candidate or stays unallocated. A divisible share may be
split: each piece given to a candidate is a positive multiple of the granularity (default 5
percentage points), or it is the whole share given to one candidate (so a 37,5 % share can lift
someone from 62,5 % to 100 % although 37,5 is not a multiple of 5).

A `Candidate` has a current size `current`, a desired size `desired` and a `priority`: 0 for
fortrinnsrett under arbeidsmiljøloven § 14-3 (permanent, part time, qualified;
docs/domain.md § Law: Fortrinnsrett), higher numbers after (e.g. 1 for «not assessed yet», 2
for the others). Their target is min(desired, 100).

A proposal is feasible when, with x_c the total percent candidate c is given:

- every piece is positive and follows the rules for its share above;
- the pieces of a share add up to at most its percent;
- current_c + x_c <= target_c, so nobody passes their desired size or 100 %.

The objective
-------------
The value of giving candidate c (current size a, weight w_c, target d) the total x is

    V_c(x) = w_c * ((a + x)**2 - a**2) / 200  +  B * [x > 0 and a + x == d]

that is, w_c times the integral of t/100 from a to a + x, plus the bonus B for reaching the
desired size exactly. The integrand grows with the size, so a point of position counts more the
nearer heltid it lands: lifting 50 % to 80 % is worth 19,5, lifting 15 % to 45 % only 9. The
weight is

    w_c = 1 + involuntary * [c is involuntary under the active definition]
            + per_ansiennitet_year * min(ansiennitet_years, max_ansiennitet_years)

with the numbers from `Weights` (defaults 0,5, 0,02 and 25 years; B defaults to 5). V_c grows
strictly with x.

The objective is the vector (sum of V_c over the candidates of priority p) for the priorities
p present, lowest number first, compared lexicographically: no gain for later groups makes up
for any loss to an earlier one. So a candidate with fortrinnsrett is served first, and no piece
goes to a lower-priority candidate while a higher-priority candidate could take it (one
granularity step of it, or the whole piece when it is whole) within their target: moving it
would raise the earlier group's sum.

Among proposals with the same objective the one chosen gives the most to the first candidate
in the order (priority, id), then to the second, and so on: ties go to the lower id. Pieces of
divisible shares are then placed so that each candidate's amount comes from as few shares as
the rules allow (best fit, largest amount first).

Strategies: "exact" solves the problem exactly, by dynamic programming over the candidates with
the pooled steps of the divisible shares and the set of whole shares left as state (a divisible
share whose percent is not a multiple of the granularity is tried both ways). "greedy" repeatedly
makes the allocation with the largest gain (in the lexicographic order), then improves by moving
pieces between candidates, swapping whole shares and sharing anew, exactly, what two candidates
hold and what is free, until no such change helps. It keeps every rule above, and no piece passes
over a higher priority, but it may miss the optimum. "best" (the
default) is exact for up to 8 candidates and 3 shares, or whenever the estimated work is small,
and greedy otherwise.

The effect on the unit is counted over the unit's employees plus any candidate from elsewhere,
each with their whole size, before and after (a candidate's size is always `current`). Percent
left unallocated is not counted: it may still be advertised.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation, localcontext
from typing import Any, NamedTuple

from survey.classification.definitions import HeltidThreshold

Id = int | str

EXACT = "exact"
GREEDY = "greedy"
BEST = "best"
MANUAL = "manual"  # a proposal the committee made or adjusted, scored by `evaluate`
STRATEGIES = (BEST, EXACT, GREEDY)

FORTRINNSRETT = 0  # § 14-3
OTHERS = 1

FULL_TIME = Decimal(100)
DEFAULT_GRANULARITY = Decimal(5)
DEFAULT_HELTID = HeltidThreshold(">=", 100.0)

# Violation codes; the web layer turns them into messages.
MALFORMED_ROW = "malformed_row"
INVALID_PERCENT = "invalid_percent"
NOT_POSITIVE = "not_positive"
UNKNOWN_SHARE = "unknown_share"
UNKNOWN_CANDIDATE = "unknown_candidate"
DUPLICATE_ALLOCATION = "duplicate_allocation"
NOT_IN_STEPS = "not_in_steps"
INDIVISIBLE_SPLIT = "indivisible_split"
SHARE_EXCEEDED = "share_exceeded"
ABOVE_DESIRED = "above_desired"
ABOVE_FULL_TIME = "above_full_time"
FORTRINNSRETT_PASSED_OVER = "fortrinnsrett_passed_over"
VIOLATION_CODES = (
    MALFORMED_ROW,
    INVALID_PERCENT,
    NOT_POSITIVE,
    UNKNOWN_SHARE,
    UNKNOWN_CANDIDATE,
    DUPLICATE_ALLOCATION,
    NOT_IN_STEPS,
    INDIVISIBLE_SPLIT,
    SHARE_EXCEEDED,
    ABOVE_DESIRED,
    ABOVE_FULL_TIME,
    FORTRINNSRETT_PASSED_OVER,
)

# "best" solves exactly up to this many (estimated) steps of the dynamic programme.
EXACT_BUDGET = 250_000
SMALL_CANDIDATES = 8
SMALL_SHARES = 3
_MAX_IMPROVEMENTS = 500
_MAX_PAIRS = 2_000  # pairs tried for one improvement by the greedy search
# Sums of squares of percentages with a few decimals stay exact far below this precision.
_CONTEXT = Context(prec=60)
# A form's percent beyond this is nonsense, and squaring it must not overflow.
_PERCENT_LIMIT = Decimal(1000)


def _decimal(value: Any, what: str) -> Decimal:
    """A finite Decimal from a Decimal, int, str or float given by the program."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not a number")
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return number


def _form_percent(value: Any) -> Decimal | None:
    """A percent typed into a form (Decimal, number or text with , or .), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".").removesuffix("%").strip()
    elif isinstance(value, float):
        value = str(value)
    elif not isinstance(value, Decimal | int):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > _PERCENT_LIMIT:
        return None
    return number


def _id_key(value: Any) -> tuple:
    # Ids are ints from the database or strings; order ints numerically, never mix the types.
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, repr(value))


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A vacant stillingsandel of the unit."""

    id: Id
    percent: Decimal
    divisible: bool = True

    def __post_init__(self) -> None:
        percent = _decimal(self.percent, f"share {self.id!r}")
        if not 0 < percent <= _PERCENT_LIMIT:
            raise ValueError(f"share {self.id!r}: the percent must be positive")
        object.__setattr__(self, "percent", percent)


@dataclass(frozen=True)
class Candidate:
    """An internal candidate: current and desired size, § 14-3 priority and what weighs in."""

    id: Id
    current: Decimal
    desired: Decimal
    priority: int = OTHERS
    involuntary: bool = False  # under the active definition of ufrivillig deltid
    ansiennitet_years: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("current", "desired", "ansiennitet_years"):
            number = _decimal(getattr(self, name), f"candidate {self.id!r}: {name}")
            if not 0 <= number <= _PERCENT_LIMIT:
                raise ValueError(f"candidate {self.id!r}: {name} is out of range")
            object.__setattr__(self, name, number)

    @property
    def target(self) -> Decimal:
        return min(self.desired, FULL_TIME)


@dataclass(frozen=True)
class Weights:
    """The numbers in the objective (see the module docstring)."""

    involuntary: Decimal = Decimal("0.5")
    per_ansiennitet_year: Decimal = Decimal("0.02")
    max_ansiennitet_years: Decimal = Decimal(25)
    reach_desired_bonus: Decimal = Decimal(5)

    def __post_init__(self) -> None:
        for name in (
            "involuntary",
            "per_ansiennitet_year",
            "max_ansiennitet_years",
            "reach_desired_bonus",
        ):
            number = _decimal(getattr(self, name), f"weights: {name}")
            # Negative numbers would let a larger lift be worth less, and § 14-3 rests on that.
            if number < 0:
                raise ValueError(f"weights: {name} must not be negative")
            object.__setattr__(self, name, number)

    def weight(self, candidate: Candidate) -> Decimal:
        years = min(candidate.ansiennitet_years, self.max_ansiennitet_years)
        involuntary = self.involuntary if candidate.involuntary else Decimal(0)
        return 1 + involuntary + self.per_ansiennitet_year * years


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class UnitState:
    """The unit's employees' current sizes by id, and where heltid starts."""

    sizes: Mapping[Id, Decimal]
    heltid: HeltidThreshold = DEFAULT_HELTID

    def __post_init__(self) -> None:
        sizes = {key: _decimal(size, f"size of {key!r}") for key, size in self.sizes.items()}
        object.__setattr__(self, "sizes", sizes)


# --- output -----------------------------------------------------------------------------------


class Allocation(NamedTuple):
    share_id: Id
    candidate_id: Id
    percent: Decimal


@dataclass(frozen=True)
class Violation:
    """A broken rule. `row` is the index of the allocation row it concerns, if one."""

    code: str
    row: int | None = None
    share_id: Id | None = None
    candidate_id: Id | None = None
    # FORTRINNSRETT_PASSED_OVER: the candidate with higher priority who could have had it.
    passed_over_id: Id | None = None


@dataclass(frozen=True)
class Effect:
    """The unit before and after: everyone's sizes summed, heltid counted, people lifted."""

    population: int
    total_before: Decimal
    total_after: Decimal
    heltid_before: int
    heltid_after: int
    lifted: int  # candidates given anything
    reached_desired: int  # candidates given exactly what takes them to their target

    @property
    def average_before(self) -> Decimal | None:
        return self.total_before / self.population if self.population else None

    @property
    def average_after(self) -> Decimal | None:
        return self.total_after / self.population if self.population else None

    @property
    def heltid_share_before(self) -> Decimal | None:
        return Decimal(self.heltid_before) / self.population if self.population else None

    @property
    def heltid_share_after(self) -> Decimal | None:
        return Decimal(self.heltid_after) / self.population if self.population else None


@dataclass(frozen=True)
class Proposal:
    """An allocation with its objective, what is left and its effect on the unit."""

    allocations: tuple[Allocation, ...]
    levels: tuple[int, ...]  # the priorities present, in objective order
    objective: tuple[Decimal, ...]  # the sum of V_c per priority in `levels`
    given: Mapping[Id, Decimal]  # every candidate, in the order (priority, id)
    unallocated: Mapping[Id, Decimal]  # every share
    effect: Effect
    method: str  # EXACT, GREEDY or MANUAL
    violations: tuple[Violation, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.violations

    @property
    def value(self) -> Decimal:
        return sum(self.objective, Decimal(0))

    def objective_by_priority(self) -> dict[int, Decimal]:
        return dict(zip(self.levels, self.objective, strict=True))


@dataclass(frozen=True)
class Comparison:
    """Proposals side by side."""

    order: tuple[int, ...]  # indices into the proposals, best first; invalid ones last
    given: Mapping[Id, tuple[Decimal, ...]]  # per candidate, what each proposal gives
    differing: tuple[Id, ...]  # candidates not given the same in every proposal

    @property
    def best(self) -> int | None:
        return self.order[0] if self.order else None


# --- the problem ------------------------------------------------------------------------------


class _Problem:
    """Shares sorted by id, candidates by (priority, id); the value function, memoised."""

    def __init__(
        self,
        shares: Iterable[Share],
        candidates: Iterable[Candidate],
        granularity: Decimal | int | str,
        weights: Weights,
    ) -> None:
        self.granularity = _decimal(granularity, "granularity")
        if self.granularity <= 0:
            raise ValueError("granularity must be positive")
        self.shares = sorted(shares, key=lambda share: _id_key(share.id))
        self.candidates = sorted(candidates, key=lambda c: (c.priority, _id_key(c.id)))
        for what, items in (("share", self.shares), ("candidate", self.candidates)):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"a {what} id is given twice")
        self.share_index = {share.id: index for index, share in enumerate(self.shares)}
        self.candidate_index = {c.id: index for index, c in enumerate(self.candidates)}
        self.levels = tuple(sorted({c.priority for c in self.candidates}))
        self.level = [self.levels.index(c.priority) for c in self.candidates]
        self.room = [max(c.target - c.current, Decimal(0)) for c in self.candidates]
        self.weight = [weights.weight(c) for c in self.candidates]
        self.weights = weights
        self.bonus = weights.reach_desired_bonus
        self.zero = tuple(Decimal(0) for _ in self.levels)
        self._values: dict[tuple[int, Decimal], Decimal] = {}

    def whole_only(self, s: int) -> bool:
        share = self.shares[s]
        return not share.divisible or share.percent < self.granularity

    def is_step(self, s: int, amount: Decimal) -> bool:
        """Whether `amount` of share `s` may be one of several pieces (else only whole)."""
        return not self.whole_only(s) and amount % self.granularity == 0

    def value(self, i: int, amount: Decimal) -> Decimal:
        key = (i, amount)
        if key not in self._values:
            before = self.candidates[i].current
            after = before + amount
            value = self.weight[i] * (after * after - before * before) / 200
            if amount > 0 and after == self.candidates[i].target:
                value += self.bonus
            self._values[key] = value
        return self._values[key]

    def add(self, vector: tuple[Decimal, ...], i: int, value: Decimal) -> tuple[Decimal, ...]:
        level = self.level[i]
        return (*vector[:level], vector[level] + value, *vector[level + 1 :])

    def objective(self, given: Sequence[Decimal]) -> tuple[Decimal, ...]:
        vector = self.zero
        for i, amount in enumerate(given):
            vector = self.add(vector, i, self.value(i, amount))
        return vector

    def gain(self, given: Sequence[Decimal], changes: Mapping[int, Decimal]) -> tuple:
        """The objective's change when candidate i's total moves by changes[i]."""
        vector = self.zero
        for i, change in changes.items():
            delta = self.value(i, given[i] + change) - self.value(i, given[i])
            vector = self.add(vector, i, delta)
        return vector

    # The exact solver's shape: which divisible shares may also go whole, and the cost.

    def optional_whole(self) -> list[int]:
        return [
            s
            for s, share in enumerate(self.shares)
            if not self.whole_only(s) and share.percent % self.granularity != 0
        ]

    def layout(self, whole: frozenset[int]) -> tuple[list[int], list[tuple[int, int]]]:
        """Shares given whole (the items) and the divisible ones split into steps (the pool)."""
        items, pool = [], []
        for s, share in enumerate(self.shares):
            if self.whole_only(s) or s in whole:
                items.append(s)
            else:
                pool.append((s, int(share.percent // self.granularity)))
        return items, pool

    def exact_is_cheap(self) -> bool:
        eligible = sum(1 for room in self.room if room > 0)
        if eligible <= SMALL_CANDIDATES and len(self.shares) <= SMALL_SHARES:
            return True
        optional = self.optional_whole()
        if len(optional) > 10:
            return False
        largest_room = int(max(self.room, default=Decimal(0)) // self.granularity)
        work = 0
        for chosen in _subsets(optional):
            items, pool = self.layout(chosen)
            units = sum(count for _, count in pool)
            work += eligible * (units + 1) * 3 ** len(items) * (min(units, largest_room) + 1)
            if work > EXACT_BUDGET:
                return False
        return True


def _subsets(items: Sequence[int]) -> Iterator[frozenset[int]]:
    for size in range(len(items) + 1):
        for chosen in itertools.combinations(items, size):
            yield frozenset(chosen)


def _submasks(mask: int) -> Iterator[int]:
    sub = mask
    while True:
        yield sub
        if sub == 0:
            return
        sub = (sub - 1) & mask


# --- exact ------------------------------------------------------------------------------------


def _solve_exact(problem: _Problem) -> list[tuple[int, int, Decimal]]:
    eligible = [i for i, room in enumerate(problem.room) if room > 0]
    best_key: tuple | None = None
    best: list[tuple[int, int, Decimal]] = []
    for whole in _subsets(problem.optional_whole()):
        items, pool = problem.layout(whole)
        objective, totals, choices = _programme(problem, eligible, items, pool)
        key = (objective, totals)
        if best_key is None or key > best_key:
            best_key = key
            best = _pieces(problem, eligible, items, pool, choices)
    return best


def _programme(
    problem: _Problem, eligible: list[int], items: list[int], pool: list[tuple[int, int]]
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...], list[tuple[int, int]]]:
    """The best objective, the totals and each eligible candidate's (items mask, steps)."""
    g = problem.granularity
    percents = [problem.shares[s].percent for s in items]
    full = (1 << len(items)) - 1
    sums = [
        sum((p for bit, p in enumerate(percents) if mask >> bit & 1), Decimal(0))
        for mask in range(full + 1)
    ]
    units_total = sum(count for _, count in pool)
    states = [(units, mask) for units in range(units_total + 1) for mask in range(full + 1)]

    def choices(i: int, units: int, mask: int) -> Iterator[tuple[int, int, Decimal]]:
        room = problem.room[i]
        for sub in _submasks(mask):
            if sums[sub] > room:
                continue
            for steps in range(min(units, int((room - sums[sub]) // g)) + 1):
                yield sub, steps, sums[sub] + steps * g

    # tables[k][(units, mask)]: the best objective for eligible[k:] with that much left.
    tables: list[dict[tuple[int, int], tuple[Decimal, ...]]] = [{}] * len(eligible)
    following = dict.fromkeys(states, problem.zero)
    tables.append(following)
    for k in reversed(range(len(eligible))):
        i = eligible[k]
        table = {}
        for units, mask in states:
            table[units, mask] = max(
                problem.add(following[units - steps, mask & ~sub], i, problem.value(i, amount))
                for sub, steps, amount in choices(i, units, mask)
            )
        tables[k] = table
        following = table

    # Among the optimal paths, follow those that give the most to each candidate in turn.
    start = (units_total, full)
    frontier: dict[tuple[int, int], list[tuple[int, int]]] = {start: []}
    totals = []
    for k, i in enumerate(eligible):
        best_amount: Decimal | None = None
        reached: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (units, mask), path in frontier.items():
            for sub, steps, amount in choices(i, units, mask):
                after = (units - steps, mask & ~sub)
                total = problem.add(tables[k + 1][after], i, problem.value(i, amount))
                if total != tables[k][units, mask]:
                    continue
                if best_amount is None or amount > best_amount:
                    best_amount, reached = amount, {}
                if amount == best_amount and after not in reached:
                    reached[after] = [*path, (sub, steps)]
        totals.append(best_amount if best_amount is not None else Decimal(0))
        frontier = reached
    path = next(iter(frontier.values()))
    return tables[0][start], tuple(totals), path


def _pieces(
    problem: _Problem,
    eligible: list[int],
    items: list[int],
    pool: list[tuple[int, int]],
    choices: list[tuple[int, int]],
) -> list[tuple[int, int, Decimal]]:
    pieces = []
    demands = []
    for i, (sub, steps) in zip(eligible, choices, strict=True):
        for bit, s in enumerate(items):
            if sub >> bit & 1:
                pieces.append((s, i, problem.shares[s].percent))
        if steps:
            demands.append((i, steps))
    left = dict(pool)
    # Largest amount first, each into the tightest share that holds it whole, else poured.
    for i, need in sorted(demands, key=lambda demand: (-demand[1], demand[0])):
        fitting = [s for s, units in left.items() if units >= need]
        if fitting:
            s = min(fitting, key=lambda s: (left[s], s))
            left[s] -= need
            pieces.append((s, i, need * problem.granularity))
            continue
        while need:
            s = max(left, key=lambda s: (left[s], -s))
            taken = min(need, left[s])
            left[s] -= taken
            need -= taken
            pieces.append((s, i, taken * problem.granularity))
    return pieces


# --- greedy with local improvement --------------------------------------------------------------


class _Search:
    def __init__(self, problem: _Problem) -> None:
        self.problem = problem
        self.given = [Decimal(0)] * len(problem.candidates)
        self.used = [Decimal(0)] * len(problem.shares)
        self.held: dict[tuple[int, int], Decimal] = {}

    def run(self) -> list[tuple[int, int, Decimal]]:
        self.fill()
        for _ in range(_MAX_IMPROVEMENTS):
            if not (self.improve() or self.rearrange_pairs()):
                break
            self.fill()
        return [(s, i, amount) for (s, i), amount in sorted(self.held.items())]

    def rearrange_pairs(self) -> bool:
        """Share one holder's pieces and the free percent between them and one other candidate,
        exactly: lifts the greedy out of one big lift where two lifts to the wish are worth more.
        """
        eligible = [i for i, room in enumerate(self.problem.room) if room > 0]
        holders = sorted({i for _, i in self.held})
        pairs = [
            (i, j) for i in holders for j in eligible if j != i and not (j in holders and j < i)
        ]
        return any(self.rearrange(pair) for pair in pairs[:_MAX_PAIRS])

    def rearrange(self, group: Sequence[int]) -> bool:
        problem, g = self.problem, self.problem.granularity
        before = problem.objective(self.given)
        saved = dict(self.held), list(self.given), list(self.used)
        for (s, i), amount in list(self.held.items()):
            if i in group:
                self.give(s, i, -amount)
        free = []
        for s, share in enumerate(problem.shares):
            if self.used[s] == 0:
                free.append(share)
            elif not problem.whole_only(s) and all(
                problem.is_step(t, a) for (t, _), a in self.held.items() if t == s
            ):
                steps = (share.percent - self.used[s]) // g * g
                if steps > 0:
                    free.append(Share(share.id, steps))
        part = _Problem(free, [problem.candidates[i] for i in group], g, problem.weights)
        if part.exact_is_cheap():
            for s_part, i_part, amount in _solve_exact(part):
                s = problem.share_index[part.shares[s_part].id]
                self.give(s, problem.candidate_index[part.candidates[i_part].id], amount)
            if problem.objective(self.given) > before:
                return True
        self.held, self.given, self.used = saved
        return False

    def left(self, i: int) -> Decimal:
        return self.problem.room[i] - self.given[i]

    def give(self, s: int, i: int, amount: Decimal) -> None:
        self.held[s, i] = self.held.get((s, i), Decimal(0)) + amount
        if self.held[s, i] == 0:
            del self.held[s, i]
        self.given[i] += amount
        self.used[s] += amount

    def additions(self, i: int) -> Iterator[tuple[int, Decimal]]:
        problem, g = self.problem, self.problem.granularity
        left = self.left(i)
        for s, share in enumerate(problem.shares):
            whole = problem.whole_only(s) or share.percent % g
            if whole and self.used[s] == 0 and share.percent <= left:
                yield s, share.percent
            if problem.whole_only(s) or any(
                not problem.is_step(t, a) for (t, _), a in self.held.items() if t == s
            ):
                continue
            for steps in range(1, int(min(share.percent - self.used[s], left) // g) + 1):
                yield s, steps * g

    def fill(self) -> None:
        """Give free percent, the largest gain first, while any is taken."""
        while True:
            best: tuple | None = None
            for i, left in enumerate(self.problem.room):
                if left <= self.given[i]:
                    continue
                for s, amount in self.additions(i):
                    gain = self.problem.gain(self.given, {i: amount})
                    if best is None or gain > best[0]:
                        best = (gain, s, i, amount)
            if best is None:
                return
            _, s, i, amount = best
            self.give(s, i, amount)

    def moves(self) -> Iterator[list[tuple[int, int, Decimal]]]:
        """Changes that keep the allocation feasible: moving a piece or part of it, swapping."""
        problem, g = self.problem, self.problem.granularity
        held = sorted(self.held.items())
        for (s, i), amount in held:
            step = problem.is_step(s, amount)
            for j in range(len(problem.candidates)):
                left = self.left(j)
                if j == i or left <= 0:
                    continue
                if not step:
                    if amount <= left:
                        yield [(s, i, -amount), (s, j, amount)]
                    continue
                most = min(amount, left) // g * g
                for moved in sorted({g, most}):
                    if 0 < moved <= most:
                        yield [(s, i, -moved), (s, j, moved)]
        wholes = [(s, i, amount) for (s, i), amount in held if not problem.is_step(s, amount)]
        for (s, i, a), (t, j, b) in itertools.combinations(wholes, 2):
            if i != j and b - a <= self.left(i) and a - b <= self.left(j):
                yield [(s, i, -a), (t, j, -b), (s, j, a), (t, i, b)]

    def improve(self) -> bool:
        best: tuple | None = None
        for move in self.moves():
            changes: dict[int, Decimal] = {}
            for _, i, amount in move:
                changes[i] = changes.get(i, Decimal(0)) + amount
            gain = self.problem.gain(self.given, changes)
            if gain > self.problem.zero and (best is None or gain > best[0]):
                best = (gain, move)
        if best is None:
            return False
        for s, i, amount in best[1]:
            self.give(s, i, amount)
        return True


# --- checking and scoring ---------------------------------------------------------------------


def _assess(
    problem: _Problem,
    rows: Iterable[Any],
    unit: UnitState | None,
    method: str,
) -> Proposal:
    violations: list[Violation] = []
    held: dict[tuple[int, int], Decimal] = {}
    for row, entry in enumerate(rows):
        try:
            share_id, candidate_id, raw = entry
        except (TypeError, ValueError):
            violations.append(Violation(MALFORMED_ROW, row=row))
            continue
        s = _lookup(problem.share_index, share_id)
        i = _lookup(problem.candidate_index, candidate_id)
        named = {
            "share_id": share_id if s is not None else None,
            "candidate_id": candidate_id if i is not None else None,
        }
        if s is None:
            violations.append(Violation(UNKNOWN_SHARE, row=row, **named))
        if i is None:
            violations.append(Violation(UNKNOWN_CANDIDATE, row=row, **named))
        amount = _form_percent(raw)
        if amount is None:
            violations.append(Violation(INVALID_PERCENT, row=row, **named))
            continue
        if amount <= 0:
            # Zero is what an emptied form field means; it allocates nothing.
            if amount < 0:
                violations.append(Violation(NOT_POSITIVE, row=row, **named))
            continue
        if s is None or i is None:
            continue
        share = problem.shares[s]
        if not share.divisible and amount != share.percent:
            violations.append(Violation(INDIVISIBLE_SPLIT, row=row, **named))
        elif share.divisible and amount != share.percent and not problem.is_step(s, amount):
            violations.append(Violation(NOT_IN_STEPS, row=row, **named))
        if (s, i) in held:
            violations.append(Violation(DUPLICATE_ALLOCATION, row=row, **named))
        held[s, i] = held.get((s, i), Decimal(0)) + amount

    given = [Decimal(0)] * len(problem.candidates)
    used = [Decimal(0)] * len(problem.shares)
    for (s, i), amount in held.items():
        given[i] += amount
        used[s] += amount
    for s, share in enumerate(problem.shares):
        if used[s] > share.percent:
            violations.append(Violation(SHARE_EXCEEDED, share_id=share.id))
    for i, candidate in enumerate(problem.candidates):
        if given[i] <= 0:
            continue
        if candidate.current + given[i] > candidate.desired:
            violations.append(Violation(ABOVE_DESIRED, candidate_id=candidate.id))
        if candidate.current + given[i] > FULL_TIME:
            violations.append(Violation(ABOVE_FULL_TIME, candidate_id=candidate.id))
    violations.extend(_passed_over(problem, held, given))

    return Proposal(
        allocations=tuple(
            Allocation(problem.shares[s].id, problem.candidates[i].id, amount)
            for (s, i), amount in sorted(held.items())
        ),
        levels=problem.levels,
        objective=problem.objective(given),
        given={c.id: given[i] for i, c in enumerate(problem.candidates)},
        unallocated={
            share.id: max(share.percent - used[s], Decimal(0))
            for s, share in enumerate(problem.shares)
        },
        effect=_effect(problem, given, unit),
        method=method,
        violations=tuple(violations),
    )


def _lookup(index: Mapping[Id, int], key: Any) -> int | None:
    try:
        return index.get(key)
    except TypeError:  # an unhashable value from a form
        return None


def _passed_over(
    problem: _Problem, held: Mapping[tuple[int, int], Decimal], given: Sequence[Decimal]
) -> Iterator[Violation]:
    """Pieces held by a lower-priority candidate that a higher-priority one could take."""
    for (s, i), amount in sorted(held.items()):
        # A step piece could give up one step; a whole piece only all of it.
        smallest = problem.granularity if problem.is_step(s, amount) else amount
        for j, candidate in enumerate(problem.candidates):
            if candidate.priority >= problem.candidates[i].priority:
                break
            if problem.room[j] - given[j] >= smallest:
                yield Violation(
                    FORTRINNSRETT_PASSED_OVER,
                    share_id=problem.shares[s].id,
                    candidate_id=problem.candidates[i].id,
                    passed_over_id=candidate.id,
                )
                break


def _effect(problem: _Problem, given: Sequence[Decimal], unit: UnitState | None) -> Effect:
    before: dict[Any, Decimal] = dict(unit.sizes) if unit is not None else {}
    heltid = unit.heltid if unit is not None else DEFAULT_HELTID
    after = dict(before)
    for i, candidate in enumerate(problem.candidates):
        before[candidate.id] = candidate.current
        after[candidate.id] = candidate.current + given[i]
    return Effect(
        population=len(before),
        total_before=sum(before.values(), Decimal(0)),
        total_after=sum(after.values(), Decimal(0)),
        heltid_before=sum(1 for size in before.values() if heltid.is_heltid(size)),
        heltid_after=sum(1 for size in after.values() if heltid.is_heltid(size)),
        lifted=sum(1 for amount in given if amount > 0),
        reached_desired=sum(
            1
            for i, candidate in enumerate(problem.candidates)
            if given[i] > 0 and candidate.current + given[i] == candidate.target
        ),
    )


# --- the API ----------------------------------------------------------------------------------


def propose(
    shares: Iterable[Share],
    candidates: Iterable[Candidate],
    *,
    granularity: Decimal | int | str = DEFAULT_GRANULARITY,
    strategy: str = BEST,
    unit: UnitState | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Proposal:
    """The allocation that maximises the objective (exactly, or by the greedy search).

    Raises ValueError on inconsistent input from the program (ids twice, granularity not
    positive, unknown strategy)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    with localcontext(_CONTEXT):
        problem = _Problem(shares, candidates, granularity, weights)
        if strategy == EXACT or (strategy == BEST and problem.exact_is_cheap()):
            pieces, method = _solve_exact(problem), EXACT
        else:
            pieces, method = _Search(problem).run(), GREEDY
        rows = [(problem.shares[s].id, problem.candidates[i].id, a) for s, i, a in pieces]
        return _assess(problem, rows, unit, method)


def evaluate(
    allocations: Iterable[Any],
    shares: Iterable[Share],
    candidates: Iterable[Candidate],
    *,
    granularity: Decimal | int | str = DEFAULT_GRANULARITY,
    unit: UnitState | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Proposal:
    """Check and score allocations (share id, candidate id, percent) the committee entered.

    Never raises on the rows, whatever a form sent: every problem is a `Violation`. Rows with
    a usable percent, share and candidate count in the score even when they break a rule."""
    with localcontext(_CONTEXT):
        problem = _Problem(shares, candidates, granularity, weights)
        rows = allocations if isinstance(allocations, Iterable) else ()
        return _assess(problem, rows, unit, MANUAL)


def compare(proposals: Sequence[Proposal]) -> Comparison:
    """Rank proposals: valid before invalid, then by objective; equal ones keep their order."""
    order = sorted(range(len(proposals)), key=lambda k: proposals[k].objective, reverse=True)
    order.sort(key=lambda k: not proposals[k].valid)
    ids: dict[Id, None] = {}
    for proposal in proposals:
        ids.update(dict.fromkeys(proposal.given))
    given = {
        candidate_id: tuple(proposal.given.get(candidate_id, Decimal(0)) for proposal in proposals)
        for candidate_id in ids
    }
    differing = tuple(key for key, amounts in given.items() if len(set(amounts)) > 1)
    return Comparison(order=tuple(order), given=given, differing=differing)
